"""A QR code encoder for the class's join link, drawn on the server: no library, no internet.

ISO/IEC 18004 in its simplest useful form: byte mode, error correction level M (15% of the
code may be lost), versions 1-10 (up to 213 bytes: any join link). The steps are the
standard's: data bits -> codewords -> Reed-Solomon error correction per block -> interleave
-> place in the zig-zag around the function patterns -> the mask with the lowest penalty ->
format (and version) information. tests/web/test_qr.py holds it to known vectors.
"""

from __future__ import annotations

# Level M, per version: EC codewords per block, then (blocks, data codewords) groups.
BLOCKS_M = {
    1: (10, [(1, 16)]),
    2: (16, [(1, 28)]),
    3: (26, [(1, 44)]),
    4: (18, [(2, 32)]),
    5: (24, [(2, 43)]),
    6: (16, [(4, 27)]),
    7: (18, [(4, 31)]),
    8: (22, [(2, 38), (2, 39)]),
    9: (22, [(3, 36), (2, 37)]),
    10: (26, [(4, 43), (1, 44)]),
}
ALIGN = {2: 18, 3: 22, 4: 26, 5: 30, 6: 34, 7: (22, 38), 8: (24, 42), 9: (26, 46), 10: (28, 50)}
LEVEL_M = 0b00  # format bits of level M

# GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1: exp and log tables.
EXP = [0] * 512
LOG = [0] * 256
_x = 1
for _i in range(255):
    EXP[_i] = _x
    LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    EXP[_i] = EXP[_i - 255]


def _mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else EXP[LOG[a] + LOG[b]]


def rs_generator(n: int) -> list[int]:
    """Coefficients (highest power first, leading 1 dropped) of prod_{i<n} (x - a^i)."""
    g = [1]
    for i in range(n):
        g = [c ^ _mul(d, EXP[i]) for c, d in zip([*g, 0], [0, *g], strict=True)]
    return g[1:]


def rs_ecc(data: list[int], n: int) -> list[int]:
    """The n error-correction codewords of `data`: the remainder of data(x) x^n / g(x)."""
    gen, rem = rs_generator(n), [0] * n
    for byte in data:
        factor = byte ^ rem.pop(0)
        rem.append(0)
        rem = [r ^ _mul(g, factor) for r, g in zip(rem, gen, strict=True)]
    return rem


def _bch(value: int, poly: int, bits: int) -> int:
    """value followed by its BCH remainder under `poly` (degree `bits`)."""
    rem = value << bits
    for shift in range(rem.bit_length() - 1, bits - 1, -1):
        if rem >> shift & 1:
            rem ^= poly << (shift - bits)
    return value << bits | rem


def format_bits(mask: int, level: int = LEVEL_M) -> int:
    """The 15 format bits: level and mask, BCH(15, 5), XORed with 101010000010010."""
    return _bch(level << 3 | mask, 0x537, 10) ^ 0x5412


def version_bits(version: int) -> int:
    return _bch(version, 0x1F25, 12)


def data_codewords(data: bytes) -> tuple[int, list[int]]:
    """The smallest version that holds `data`, and its data codewords: mode, count, the
    bytes, a terminator, zeros to the byte, then the pad codewords 0xEC 0x11 alternately."""
    for version in BLOCKS_M:
        capacity = sum(n * k for n, k in BLOCKS_M[version][1])
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * len(data) <= 8 * capacity:
            break
    else:
        raise ValueError(f"a QR code of level M holds 213 bytes at most here; got {len(data)}")
    bits = "0100" + format(len(data), f"0{count_bits}b") + "".join(f"{b:08b}" for b in data)
    bits += "0" * min(4, 8 * capacity - len(bits))
    bits += "0" * (-len(bits) % 8)
    words = [int(bits[i : i + 8], 2) for i in range(0, len(bits), 8)]
    pads = capacity - len(words)
    return version, words + [0xEC, 0x11] * (pads // 2) + [0xEC] * (pads % 2)


def interleave(version: int, words: list[int]) -> list[int]:
    """Split data codewords into the version's blocks, add each block's error correction,
    and interleave: first data codewords of every block, then their EC codewords."""
    ecc, groups = BLOCKS_M[version]
    blocks, at = [], 0
    for n, k in groups:
        for _ in range(n):
            blocks.append(words[at : at + k])
            at += k
    out = [b[i] for i in range(max(map(len, blocks))) for b in blocks if i < len(b)]
    eccs = [rs_ecc(b, ecc) for b in blocks]
    return out + [e[i] for i in range(ecc) for e in eccs]


MASKS = [
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
]


def _function_patterns(version: int) -> tuple[list[list[int]], list[list[bool]]]:
    size = 17 + 4 * version
    m = [[0] * size for _ in range(size)]
    fn = [[False] * size for _ in range(size)]

    def put(r: int, c: int, dark: bool) -> None:
        m[r][c], fn[r][c] = int(dark), True

    for r0, c0 in ((0, 0), (0, size - 7), (size - 7, 0)):  # finders and their separators
        for r in range(-1, 8):
            for c in range(-1, 8):
                if 0 <= r0 + r < size and 0 <= c0 + c < size:
                    d = max(abs(r - 3), abs(c - 3))
                    put(r0 + r, c0 + c, d != 2 and d != 4)
    for i in range(size):  # timing patterns
        if not fn[6][i]:
            put(6, i, i % 2 == 0)
        if not fn[i][6]:
            put(i, 6, i % 2 == 0)
    centres = ALIGN.get(version, ())
    centres = [6, *((centres,) if isinstance(centres, int) else centres)] if centres else []
    last = len(centres) - 1
    for i, r in enumerate(centres):
        for j, c in enumerate(centres):
            if (i, j) in ((0, 0), (0, last), (last, 0)):
                continue  # under a finder
            for dr in range(-2, 3):
                for dc in range(-2, 3):
                    put(r + dr, c + dc, max(abs(dr), abs(dc)) != 1)
    for i in range(9):  # format areas, drawn per mask later
        fn[8][i] = fn[i][8] = True
        if i < 8:
            fn[8][size - 1 - i] = fn[size - 1 - i][8] = True
    put(size - 8, 8, True)  # the dark module
    if version >= 7:
        bits = version_bits(version)
        for i in range(18):
            a, b = size - 11 + i % 3, i // 3
            put(a, b, bits >> i & 1)
            put(b, a, bits >> i & 1)
    return m, fn


def _place(m: list[list[int]], fn: list[list[bool]], words: list[int]) -> None:
    """Data bits in the zig-zag: two-module columns from the right, up then down, column 6
    (the vertical timing pattern) skipped. Modules left over (remainder bits) stay light."""
    size, i, n = len(m), 0, 8 * len(words)
    right = size - 1
    while right > 0:
        if right == 6:
            right = 5
        upward = ((right + 1) & 2) == 0
        for vert in range(size):
            r = size - 1 - vert if upward else vert
            for c in (right, right - 1):
                if not fn[r][c] and i < n:
                    m[r][c] = words[i >> 3] >> (7 - (i & 7)) & 1
                    i += 1
        right -= 2


def _draw_format(m: list[list[int]], mask: int) -> None:
    size, bits = len(m), format_bits(mask)
    bit = [bits >> i & 1 for i in range(15)]
    for i in range(6):
        m[i][8] = bit[i]
    m[7][8], m[8][8], m[8][7] = bit[6], bit[7], bit[8]
    for i in range(9, 15):
        m[8][14 - i] = bit[i]
    for i in range(8):
        m[8][size - 1 - i] = bit[i]
    for i in range(8, 15):
        m[size - 15 + i][8] = bit[i]


def penalty(m: list[list[int]]) -> int:
    """The standard's score of a masked symbol: long runs, 2x2 blocks, finder look-alikes
    and an unbalanced share of dark modules all cost."""
    size, score = len(m), 0
    lines = [*m, *([m[r][c] for r in range(size)] for c in range(size))]
    look_alikes = ([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1])
    for line in lines:
        run = 1
        for i in range(1, size + 1):
            if i < size and line[i] == line[i - 1]:
                run += 1
                continue
            if run >= 5:
                score += run - 2
            run = 1
        for i in range(size - 10):
            if line[i : i + 11] in look_alikes:
                score += 40
    for r in range(size - 1):
        for c in range(size - 1):
            if m[r][c] == m[r][c + 1] == m[r + 1][c] == m[r + 1][c + 1]:
                score += 3
    dark = sum(map(sum, m))
    return score + 10 * (abs(20 * dark - 10 * size * size) // (size * size))


def encode(text: str, mask: int | None = None) -> list[list[int]]:
    """The QR symbol of `text` (UTF-8) as rows of 0/1 (1 dark), without the quiet zone.
    mask: 0-7, or None for the one with the lowest penalty."""
    version, words = data_codewords(text.encode("utf-8"))
    return symbol(version, interleave(version, words), mask)


def symbol(version: int, words: list[int], mask: int | None = None) -> list[list[int]]:
    """The symbol of a version holding the final codeword sequence `words`."""
    base, fn = _function_patterns(version)
    _place(base, fn, words)
    best = None
    for k in range(8) if mask is None else (mask,):
        m = [
            [v ^ (not f and MASKS[k](r, c)) for c, (v, f) in enumerate(zip(row, fr, strict=True))]
            for r, (row, fr) in enumerate(zip(base, fn, strict=True))
        ]
        _draw_format(m, k)
        score = penalty(m) if mask is None else 0
        if best is None or score < best[0]:
            best = (score, m)
    return best[1]


def svg(text: str, quiet: int = 4) -> str:
    """The QR code of `text` as an SVG image: one path, dark on white, with the quiet zone."""
    m = encode(text)
    n = len(m) + 2 * quiet
    path = "".join(
        f"M{c + quiet} {r + quiet}h1v1h-1z"
        for r, row in enumerate(m)
        for c, v in enumerate(row)
        if v
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" '
        f'shape-rendering="crispEdges"><rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )
