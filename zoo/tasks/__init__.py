"""What a user holds: task models that wrap a backbone."""

from zoo.tasks.adversarial_upscaler import AdversarialUpscaler
from zoo.tasks.image_restorer import ImageRestorer
from zoo.tasks.inpainter import Inpainter
from zoo.tasks.text_to_image import TextToImageGAN
