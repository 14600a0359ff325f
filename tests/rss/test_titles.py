"""Season, episode, quality, codec and repack read from release titles the way µTorrent shows them."""

from __future__ import annotations

import pytest

from utserver.rss.titles import TitleInfo, parse_title, quality_bit

pytestmark = pytest.mark.unit  # the pure layer: `make unit`

# The WebUI's RSSITEMQUALITYMAP: an item's QUALITY indexes it.
WEBUI_QUALITIES = ["?", "HDTV", "TVRip", "DVDRip", "SVCD", "DSRip", "DVBRip", "PDTV", "HR.HDTV", "HR.PDTV", "DVDR",
                   "DVDScr", "720p", "1080i", "1080p", "WebRip", "SatRip"]

CASES = [
    ("Show.Name.S01E02.720p.HDTV.x264-GRP", TitleInfo("Show Name", 1, 2, 0, 12, 8)),
    ("Show.Name.S01E02E03.1080p.WEB-DL.H.264", TitleInfo("Show Name", 1, 2, 3, 14, 9)),
    ("Show Name S03E04-05 HDTV XviD", TitleInfo("Show Name", 3, 4, 5, 1, 6)),
    ("show_name_s10e100_pdtv_divx", TitleInfo("show name", 10, 100, 0, 7, 7)),
    ("Show Name 1x02 [HDTV] DivX", TitleInfo("Show Name", 1, 2, 0, 1, 7)),
    ("Show Name 4x10-11 DVDRip", TitleInfo("Show Name", 4, 10, 11, 3, 0)),
    ("Show Name Season 2 Episode 7 TVRip", TitleInfo("Show Name", 2, 7, 0, 2, 0)),
    ("Show.Name.S01E05.REPACK.720p.HDTV.x264", TitleInfo("Show Name", 1, 5, 0, 12, 8, True)),
    ("Show.Name.S01E05.PROPER.HR.HDTV.XviD", TitleInfo("Show Name", 1, 5, 0, 8, 6, True)),
    ("Movie.Title.2009.DVDScr.XviD", TitleInfo("Movie Title 2009", 0, 0, 0, 11, 6)),
    ("Movie.Title.2009.1080i.VC-1", TitleInfo("Movie Title 2009", 0, 0, 0, 13, 11)),
    ("Video.1920x1080.SatRip.WMV-HD", TitleInfo("Video 1920x1080", 0, 0, 0, 16, 10)),
    ("Plain title without markers", TitleInfo("Plain title without markers")),
]


@pytest.mark.parametrize(("title", "expected"), CASES, ids=[c[0] for c in CASES])
def test_title_fields(title, expected):
    assert parse_title(title) == expected


def test_resolution_is_not_an_episode():
    assert parse_title("Clip.1280x720.HDTV").episode == 0


def test_quality_codes_name_and_mask_bits():
    """Item quality q is the WebUI's RSSITEMQUALITYMAP[q]; filters select it with bit 1 << (q - 1)."""
    for name in WEBUI_QUALITIES[1:]:
        assert WEBUI_QUALITIES[parse_title(f"Show.S01E01.{name}.x264").quality] == name
    assert quality_bit(parse_title("X.720p").quality) == 2048  # the WebUI's RSSITEMQUALITY_720P
    assert quality_bit(parse_title("X.HDTV").quality) == 1
    assert quality_bit(0) == 0
