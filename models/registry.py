"""The Inception family: name -> (constructor, input size, graph output names).

The first output is the classifier's logits, always named `output`; further
outputs (the auxiliary classifiers of the 2014 GoogLeNet) follow it.
"""
import collections

import torchvision

from bn_inception import BNInception
from inception_resnet import inception_resnet_v1, inception_resnet_v2
from inception_v1 import InceptionV1
from inception_v4 import InceptionV4


def googlenet():
    """torchvision's GoogLeNet: the 2014 topology with batch norm, 3x3 convs in
    place of the 5x5 (a known torchvision quirk) and no LRN."""
    return torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False,
                                        transform_input=False)


def inception_v3():
    return torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False,
                                           transform_input=False)


Model = collections.namedtuple("Model", "build size outputs")

MODELS = {
    "googlenet": Model(googlenet, 224, ("output",)),
    "inception_v1": Model(InceptionV1, 224, ("output", "aux1", "aux2")),
    "bn_inception": Model(BNInception, 224, ("output",)),
    "inception_v3": Model(inception_v3, 299, ("output",)),
    "inception_v4": Model(InceptionV4, 299, ("output",)),
    "inception_resnet_v1": Model(inception_resnet_v1, 299, ("output",)),
    "inception_resnet_v2": Model(inception_resnet_v2, 299, ("output",)),
}
