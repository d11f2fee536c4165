"""The QR encoder of the join link, held to known vectors.

The symbols below were made by segno 1.6.6 (a well-tested QR library, not a dependency) for
the same text, level M, byte mode and mask. segno pads the data with one more zero byte
after the terminator than ISO/IEC 18004 asks for (a valid, decodable quirk), so the test
feeds our placement, masking, format and version information the same codewords and
compares every module; our own padding is held to the standard's worked example.
"""

from __future__ import annotations

from app.web import qr

JOIN_V3 = [
    "1fd4f97f",
    "1059c741",
    "1753965d",
    "17424c5d",
    "175acb5d",
    "104fcc41",
    "1fd5557f",
    "00084700",
    "13ffed97",
    "1aa74f96",
    "1fc57114",
    "09ac6a31",
    "1b62e4c1",
    "1ebe29db",
    "00ee6a8d",
    "01b4f165",
    "08d200a0",
    "1ba60e3e",
    "1f59e721",
    "1a1d915c",
    "1fe38bfe",
    "001ebf18",
    "1fd2bb58",
    "1053bd11",
    "175fa3f1",
    "1759762d",
    "174ce513",
    "1042b075",
    "1fd83128",
]
LONG_V7 = [
    "1fcf8aeae97f",
    "104be09f0a41",
    "175c75113a5d",
    "175b6f40635d",
    "175339f2c75d",
    "105649139041",
    "1fd55555557f",
    "0011031f3800",
    "17c96bfc627c",
    "100e87fbc337",
    "0c650a9d9d7e",
    "1da80836385c",
    "1d6f9e5261c9",
    "050ad06acb23",
    "1e69e3ff9cf6",
    "10a286559d5c",
    "04744c80e809",
    "073319aac3a3",
    "0a7ba3bf95f6",
    "0cb6b69d3e6c",
    "0ff83df46bf9",
    "1717b91ec31d",
    "0b58c5539756",
    "1b185f13391c",
    "1bf585f66dfb",
    "16204e48c905",
    "0e75ace49e8a",
    "0d21fc953adf",
    "1adc380065db",
    "0213814ac1e3",
    "036046df9626",
    "191957a57f6c",
    "167c23006899",
    "1e0e5f6ae1c3",
    "01762caf25a6",
    "0f1a24313ebc",
    "136d47f869f9",
    "001e2b12c31d",
    "1fcbef5b9756",
    "10535b1b371f",
    "175cbdfc6ff8",
    "175fdc92c255",
    "175e790d9f0a",
    "104107a53da4",
    "1fd164b068fa",
]


def _rows(hexes: list[str], size: int) -> list[list[int]]:
    return [[int(b) for b in format(int(h, 16), f"0{size}b")] for h in hexes]


def _segno_codewords(text: str) -> tuple[int, list[int]]:
    """Our data codewords with segno's extra zero byte after the terminator."""
    version, words = qr.data_codewords(text.encode())
    end = (4 + 8 + 8 * len(text.encode()) + 4) // 8  # mode, count, data, terminator
    pads = [0xEC, 0x11] * len(words)
    return version, words[:end] + [0] + pads[: len(words) - end - 1]


def test_symbols_equal_an_independent_encoders_module_for_module():
    cases = [
        ("http://192.168.1.20:8000/?class=K7Q2", 6, JOIN_V3, 3),
        ("http://lab.example.org:8000/?class=K7Q2A#" + "x" * 70, 2, LONG_V7, 7),
    ]
    for text, mask, rows, version in cases:
        v, words = _segno_codewords(text)
        assert v == version
        size = 17 + 4 * v
        assert qr.symbol(v, qr.interleave(v, words), mask) == _rows(rows, size)


def test_reed_solomon_and_padding_match_the_standards_worked_example():
    # "HELLO WORLD", version 1-M (alphanumeric): its data codewords end with the terminator
    # and the pad codewords 236, 17; the ten EC codewords are the published ones.
    data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
    assert qr.rs_ecc(data, 10) == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23]
    version, words = qr.data_codewords(b"HELLO")
    assert version == 1 and len(words) == 16
    assert words[:7] == [0x40, 0x54, 0x84, 0x54, 0xC4, 0xC4, 0xF0]  # 0100 00000101 H E L L O 0000
    assert words[7:] == [0xEC, 0x11] * 4 + [0xEC]


def test_format_and_version_information_are_the_tabled_bch_codes():
    assert qr.format_bits(0) == 0b101010000010010  # level M, mask 0
    assert qr.format_bits(5) == 0b100000011001110  # level M, mask 5
    assert qr.version_bits(7) == 0b000111110010010100
    assert qr.version_bits(10) == 0b001010010011010011


def test_a_join_link_fits_and_the_svg_has_its_dark_modules():
    m = qr.encode("http://192.168.1.20:8000/?class=K7Q2")
    assert len(m) == 29  # version 3
    for r0, c0 in ((0, 0), (0, 22), (22, 0)):  # the three finder patterns
        assert [m[r0][c0 + i] for i in range(7)] == [1] * 7
    svg = qr.svg("http://192.168.1.20:8000/?class=K7Q2")
    assert svg.startswith("<svg") and svg.count("h1v1h-1z") == sum(map(sum, m))


def test_the_teacher_page_and_the_qr_route():
    from fastapi.testclient import TestClient

    from app.web.app import create_app
    from app.web.classroom import ALPHABET

    with TestClient(create_app()) as client:
        page = client.get("/teach")
        assert page.status_code == 200 and f'data-alphabet="{ALPHABET}"' in page.text
        r = client.get("/api/qr", params={"text": "http://192.168.1.20:8000/?class=K7Q2"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert r.text == qr.svg("http://192.168.1.20:8000/?class=K7Q2")
        too_long = client.get("/api/qr", params={"text": "x" * 201})
        assert too_long.status_code == 400 and too_long.json()["error"]["field"] == "text"
