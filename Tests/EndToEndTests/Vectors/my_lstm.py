#!/usr/bin/env python3
"""The README's `verify --exec` program, run by ExecBatteryTests.swift: `python3 my_lstm.py
FIXTURE OUT` loads a fixture into the notebook's parameters/x/a0/y, computes the gradients with
the learner's code and saves them to OUT. The lines between the README markers are the README's;
above them, the learner's code is the independent NumPy LSTM of Fixtures/tools (right: full
backpropagation through time), so the test knows verify must find every fixture right.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "Fixtures" / "tools"))
import lstm_numpy


def my_lstm_gradients(parameters, x, a0, y):
    """A learner's right LSTM backward pass."""
    fixture = lstm_numpy.fixture_from_dict({"parameters": parameters, "x": x, "a0": a0, "y": y})
    return lstm_numpy.bptt_gradients(fixture)[1]


# README begins
import json, sys, numpy as np
f = json.load(open(sys.argv[1]))                      # {fixture}
parameters = {k: np.array(v) for k, v in f["parameters"].items()}
x, a0, y = np.array(f["x"]), np.array(f["a0"]), np.array(f["y"])
np.savez(sys.argv[2], **my_lstm_gradients(parameters, x, a0, y))   # {out}: {"dWf": ..., "dx": ...}
# README ends
