#!/usr/bin/env python3
"""Writes N small files (FILES_DIR/fI.txt, 200-2000 bytes) and a Nix expression of N builtin:fetchurl
FODs fetching them from BASE_URL, each with its true SRI sha256."""
import base64
import hashlib
import os
import random
import sys

n, files_dir, base_url, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
os.makedirs(files_dir, exist_ok=True)
rng = random.Random(1)
lines = ["{"]
for i in range(n):
    body = (f"file {i}\n" * rng.randint(20, 200)).encode()
    with open(os.path.join(files_dir, f"f{i}.txt"), "wb") as f:
        f.write(body)
    sri = "sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode()
    lines.append(f'  f{i} = import <nix/fetchurl.nix> {{ url = "{base_url}/f{i}.txt"; hash = "{sri}"; }};')
lines.append("}")
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
