from zoo.models.espcn.espcn_backbone import ESPCNBackbone
from zoo.models.espcn.espcn_image_restorer import ESPCNImageRestorer
