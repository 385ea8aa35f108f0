#!/usr/bin/python3
"""Marks one version requirement of an ELF64 little-endian shared library as weak (VER_FLG_WEAK).

    weaken_version.py LIB VERSION      e.g. libLibTorchSharp.so GLIBCXX_3.4.32

`patchelf --clear-symbol-version SYM` drops the version from the symbol, but the library's
.gnu.version_r still lists the version as needed, and glibc's loader refuses a library whose
needed versions its dependency lacks. A weak requirement is one the loader tolerates when
missing. This script only weakens a version that no dynamic symbol uses any more (so nothing can
bind to a version that is not there); otherwise it refuses. Prints what it did; idempotent.
Standard library only (Debian 12's python3).
"""
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
SHT_GNU_VERSYM = 0x6FFFFFFF
VER_FLG_WEAK = 0x2


def main(path, version):
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            sys.exit(f"weaken_version.py: {path} is not a little-endian ELF64 file")
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
        sections = []
        for i in range(shnum):
            _, sh_type, _, _, off, size, link, _, _, entsize = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
            sections.append((sh_type, off, size, link, entsize))
        verneed = next((s for s in sections if s[0] == SHT_GNU_VERNEED), None)
        versym = next((s for s in sections if s[0] == SHT_GNU_VERSYM), None)
        if verneed is None or versym is None:
            sys.exit(f"weaken_version.py: {path} has no symbol versions")
        strtab = sections[verneed[3]][1]

        def name_at(offset):
            end = data.index(0, strtab + offset)
            return data[strtab + offset:end].decode()

        # Walk Verneed entries and their Vernaux entries.
        pos = verneed[1]
        while True:
            _, cnt, _, aux, nxt = struct.unpack_from("<HHIII", data, pos)
            apos = pos + aux
            for _ in range(cnt):
                _, flags, other, name, anext = struct.unpack_from("<IHHII", data, apos)
                if name_at(name) == version:
                    indices = struct.unpack_from(f"<{versym[2] // 2}H", data, versym[1])
                    users = sum(1 for v in indices if (v & 0x7FFF) == other)
                    if users:
                        sys.exit(f"weaken_version.py: {users} symbol(s) of {path} still use {version}; clear their versions first")
                    if flags & VER_FLG_WEAK:
                        print(f"weaken_version.py: {version} is already a weak requirement of {path}")
                        return
                    struct.pack_into("<H", data, apos + 4, flags | VER_FLG_WEAK)
                    f.seek(0)
                    f.write(data)
                    print(f"weaken_version.py: {version} is now a weak requirement of {path}")
                    return
                apos += anext
            if nxt == 0:
                break
            pos += nxt
    sys.exit(f"weaken_version.py: {path} does not require {version}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
