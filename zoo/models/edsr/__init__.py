from zoo.models.edsr.edsr_backbone import EDSRBackbone
from zoo.models.edsr.edsr_image_restorer import EDSRImageRestorer
