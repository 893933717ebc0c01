"""How a run names the device it trains on: shared by notebook runs (the callback) and the trainer."""

from __future__ import annotations

import os

import torch


def device_label(device) -> str:
    """'cuda:0 (NVIDIA H100 …)' or 'cpu', for the run's device column."""
    device = torch.device(device)
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        label = f"cuda:{index} ({torch.cuda.get_device_name(index)})"
        # The queue hands each job one GPU through CUDA_VISIBLE_DEVICES: name the machine's GPU number.
        visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",")
        if len(visible) > index and visible[index].strip().isdigit():
            label += f", GPU {visible[index].strip()} of the machine"
        return label
    return device.type
