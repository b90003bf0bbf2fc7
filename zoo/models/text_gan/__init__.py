from zoo.models.text_gan.diff_augment import DiffAugment
from zoo.models.text_gan.text_gan_discriminator import TextGANDiscriminator
from zoo.models.text_gan.text_gan_generator import TextGANGenerator
from zoo.models.text_gan.text_gan_layers import ConditionalBatchNorm, TextCrossAttention
from zoo.models.text_gan.text_gan_text_to_image import TextGANTextToImage
