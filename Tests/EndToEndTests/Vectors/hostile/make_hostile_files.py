"""Writes the hostile archives the end-to-end tests feed `verify`: a zip bomb and an
.npz whose entry sizes lie. Run from this folder: python3 make_hostile_files.py"""
import io
import struct
import zipfile

import numpy as np


def npy_bytes(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array)
    return buffer.getvalue()


# 64 MiB of zeros as dWf.npy, deflated to about 64 KiB: the reader must stop at its
# decompression limit, not trust the header and not inflate it all.
with zipfile.ZipFile("bomb.npz", "w", compression=zipfile.ZIP_DEFLATED) as z:
    z.writestr("dWf.npy", npy_bytes(np.zeros(8 * 1024 * 1024)))

# A stored archive whose central directory claims a larger size than the member has.
with zipfile.ZipFile("lying.npz", "w", compression=zipfile.ZIP_STORED) as z:
    z.writestr("dWf.npy", npy_bytes(np.zeros((5, 8))))
data = bytearray(open("lying.npz", "rb").read())
central = data.rfind(b"PK\x01\x02")
size_field = central + 24          # uncompressed size in the central directory header
claimed = struct.unpack_from("<I", data, size_field)[0]
struct.pack_into("<I", data, size_field, claimed + 4096)
open("lying.npz", "wb").write(bytes(data))
