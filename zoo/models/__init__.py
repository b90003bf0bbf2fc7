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
from zoo.models.patch_discriminator.patch_discriminator import PatchDiscriminator
from zoo.models.text_gan.diff_augment import DiffAugment
from zoo.models.text_gan.text_gan_discriminator import TextGANDiscriminator
from zoo.models.text_gan.text_gan_generator import TextGANGenerator
from zoo.models.text_gan.text_gan_text_to_image import TextGANTextToImage
