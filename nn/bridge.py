"""Graduating to PyTorch: `to_torch(model)` and `from_torch(module)`, weights copied exactly.

An MLP becomes a `torch.nn.Sequential` of float64 `Linear` layers and activation modules, the form a
PyTorch tutorial would write by hand. PyTorch is imported only inside these two calls (it is large and
optional); without it they raise an ImportError saying what to install.
"""

from __future__ import annotations

from typing import Any

from autograd.checks import instance

from .layers import MLP

__all__ = ["from_torch", "to_torch"]

_TORCH_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "leaky_relu": "LeakyReLU", "softplus": "Softplus"}
_LEAKY_SLOPE = 0.01  # Value.leaky_relu's default, and torch.nn.LeakyReLU's
_SOFTPLUS_THRESHOLD = 20.0  # autograd's softplus switches to the identity above it, as torch's default


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(
            "to_torch/from_torch need PyTorch, which is not installed: pip install 'chainrule[torch]' "
            "(a CPU build), or see https://pytorch.org/get-started/"
        ) from None
    return torch


def to_torch(model: MLP) -> Any:
    """An equivalent `torch.nn.Sequential` (float64) with the same weights.

    >>> from nn import MLP
    >>> model = MLP(2, [3, 1], activation="tanh", seed=0)
    >>> net = to_torch(model)
    >>> net
    Sequential(
      (0): Linear(in_features=2, out_features=3, bias=True)
      (1): Tanh()
      (2): Linear(in_features=3, out_features=1, bias=True)
    )
    >>> import torch
    >>> net(torch.tensor([[0.5, -1.0]], dtype=torch.float64)).item() == model([0.5, -1.0]).data
    True
    """
    model = instance("model", model, MLP, "an nn.MLP (to_torch converts MLPs)")
    torch = _torch()
    modules = []
    last = len(model.layers) - 1
    for i, layer in enumerate(model.layers):
        linear = torch.nn.Linear(layer.nin, layer.nout, bias=model.bias, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64))
            if model.bias:
                linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons if n.b is not None], dtype=torch.float64))
        modules.append(linear)
        act = model.output_activation if i == last else model.activation
        if act != "linear":
            modules.append(getattr(torch.nn, _TORCH_ACTIVATIONS[act])())
    return torch.nn.Sequential(*modules)


def _activation_name(module: Any, torch: Any, where: str) -> str:
    for name, cls in _TORCH_ACTIVATIONS.items():
        if type(module) is getattr(torch.nn, cls):
            if name == "leaky_relu" and module.negative_slope != _LEAKY_SLOPE:
                raise ValueError(f"{where}: LeakyReLU slope {module.negative_slope}; nn supports {_LEAKY_SLOPE}")
            if name == "softplus" and (module.beta != 1 or module.threshold != _SOFTPLUS_THRESHOLD):
                raise ValueError(f"{where}: Softplus(beta={module.beta}, threshold={module.threshold}); "
                                 f"nn supports beta=1, threshold={_SOFTPLUS_THRESHOLD:g}")  # fmt: skip
            return name
    if type(module) is torch.nn.Identity:
        return "linear"
    valid = ", ".join(["Linear", "Identity", *_TORCH_ACTIVATIONS.values()])
    raise ValueError(f"{where}: nn has no equivalent of {type(module).__name__}; supported modules: {valid}")


def from_torch(module: Any) -> MLP:
    """The MLP equivalent to a `torch.nn.Sequential` of Linear layers and activations (or one Linear).

    Hidden layers must share one activation, as `MLP(activation=...)`; layers without an activation
    module after them are linear. Anything else is a ValueError naming the module.

    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    >>> from_torch(net)
    MLP(2 -> 4 -> 1, relu / linear)
    """
    torch = _torch()
    kinds = (torch.nn.Sequential, torch.nn.Linear)
    module = instance("module", module, kinds, "a torch.nn.Sequential or Linear")
    children = [module] if isinstance(module, torch.nn.Linear) else list(module)
    linears: list[Any] = []
    acts: list[str] = []
    for i, child in enumerate(children):
        if isinstance(child, torch.nn.Linear):
            if linears and len(acts) < len(linears):
                acts.append("linear")  # two Linear layers in a row: the first is linear
            if linears and child.in_features != linears[-1].out_features:
                raise ValueError(f"module {i}: Linear takes {child.in_features} inputs but the layer before gives "
                                 f"{linears[-1].out_features}")  # fmt: skip
            linears.append(child)
        else:
            if len(acts) >= len(linears):
                raise ValueError(f"module {i}: {type(child).__name__} must follow a Linear layer")
            acts.append(_activation_name(child, torch, f"module {i}"))
    if not linears:
        raise ValueError("from_torch needs at least one Linear layer")
    if len(acts) < len(linears):
        acts.append("linear")
    hidden = set(acts[:-1])
    if len(hidden) > 1:
        raise ValueError(f"hidden layers use different activations {acts[:-1]}; an MLP has one hidden activation")
    biases = {lin.bias is not None for lin in linears}
    if len(biases) > 1:
        raise ValueError("some Linear layers have a bias and some not; an MLP has bias everywhere or nowhere")
    bias = biases.pop()
    model = MLP(
        linears[0].in_features, [lin.out_features for lin in linears],
        activation=hidden.pop() if hidden else "relu", output_activation=acts[-1], bias=bias, seed=0,
    )  # fmt: skip  # the weights are copied in next; seed=0 leaves the global random generator untouched
    state: dict[str, float] = {}
    for i, lin in enumerate(linears):
        weight = lin.weight.detach().to(torch.float64).tolist()
        b = lin.bias.detach().to(torch.float64).tolist() if bias else None
        for j, row in enumerate(weight):
            for k, w in enumerate(row):
                state[f"layers.{i}.neurons.{j}.w.{k}"] = float(w)
            if b is not None:
                state[f"layers.{i}.neurons.{j}.b"] = float(b[j])
    model.load_state_dict(state)
    return model
