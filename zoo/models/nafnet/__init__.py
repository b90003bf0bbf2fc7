from zoo.models.nafnet.nafnet_backbone import NAFNetBackbone
from zoo.models.nafnet.nafnet_image_restorer import NAFNetImageRestorer
