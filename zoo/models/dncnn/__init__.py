from zoo.models.dncnn.dncnn_backbone import DnCNNBackbone
from zoo.models.dncnn.dncnn_image_restorer import DnCNNImageRestorer
