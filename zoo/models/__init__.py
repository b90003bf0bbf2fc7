"""Architectures: one folder per model family."""

from zoo.models.dncnn.dncnn_backbone import DnCNNBackbone
from zoo.models.dncnn.dncnn_image_restorer import DnCNNImageRestorer
from zoo.models.edsr.edsr_backbone import EDSRBackbone
from zoo.models.edsr.edsr_image_restorer import EDSRImageRestorer
from zoo.models.espcn.espcn_backbone import ESPCNBackbone
from zoo.models.espcn.espcn_image_restorer import ESPCNImageRestorer
from zoo.models.inpaint_unet.inpaint_unet_backbone import InpaintUNetBackbone
from zoo.models.inpaint_unet.inpaint_unet_inpainter import InpaintUNetInpainter
from zoo.models.nafnet.nafnet_backbone import NAFNetBackbone
from zoo.models.nafnet.nafnet_image_restorer import NAFNetImageRestorer
