"""The administrative-unit adapter: lookups by code and name, and the 2025 conversion.

Behaviour of the two libraries as the adapter presents it, on units the project names
(the facts are in the locality reference: codes, and the 2025 successors), never on
today's register.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest

from analysis.ingest import admin_units as au


def codes(successors: list[au.Successor]) -> set[str]:
    return {s.unit.code for s in successors}


def test_go_cong_tay_becomes_five_communes_of_dong_thap_with_no_area_from_outside():
    successors = au.successors_2025("823")
    assert codes(successors) == {"28651", "28660", "28663", "28687", "28678"}
    assert {s.unit.short_name_vi for s in successors} == {
        "Vĩnh Bình",
        "Đồng Sơn",
        "Phú Thành",
        "Long Bình",
        "Vĩnh Hựu",
    }
    for s in successors:
        assert (s.unit.era, s.unit.level, s.unit.parent_code) == ("2025", "commune", "82")
        assert s.outside_codes == () and s.split_codes == ()


def test_binh_son_becomes_five_communes_and_dong_son_also_takes_in_tinh_hoa():
    successors = {s.unit.code: s for s in au.successors_2025("524")}
    assert set(successors) == {"21040", "21061", "21085", "21100", "21109"}
    assert successors["21109"].unit.name_vi == "Xã Đông Sơn"
    outside = [au.unit("legacy", c) for c in successors["21109"].outside_codes]
    assert [(u.short_name_vi, u.province_code) for u in outside] == [("Tịnh Hòa", "51")]
    assert outside[0].parent_code != "524"
    for code in ("21040", "21061", "21085", "21100"):
        assert successors[code].outside_codes == ()


@pytest.mark.parametrize("district", ["823", "524"])
def test_every_former_commune_of_a_district_goes_somewhere(district):
    former = {u.code for u in au.children("legacy", district)}
    assert former
    went = set().union(*(s.from_codes for s in au.successors_2025(district)))
    assert went == former


@pytest.mark.parametrize(
    ("legacy", "successor", "name"),
    [
        ("17", "25", "Tỉnh Phú Thọ"),  # Hòa Bình
        ("52", "52", "Tỉnh Gia Lai"),  # Bình Định keeps its code
        ("82", "82", "Tỉnh Đồng Tháp"),  # Tiền Giang keeps its code
        ("51", "51", "Tỉnh Quảng Ngãi"),  # merged with Kon Tum
        ("01", "01", "Thành phố Hà Nội"),  # same boundary
    ],
)
def test_a_province_goes_to_the_2025_province_holding_its_communes(legacy, successor, name):
    [only] = au.successors_2025(legacy)
    assert (only.unit.code, only.unit.name_vi, only.unit.era) == (successor, name, "2025")
    assert only.unit.level in au.PROVINCE_LEVELS
    assert only.split_codes == ()  # no former commune was divided between provinces


def test_what_a_merged_province_took_in_from_outside_names_the_other_provinces():
    [ha_noi] = au.successors_2025("01")
    assert ha_noi.outside_codes == ()
    [quang_ngai] = au.successors_2025("51")
    kon_tum = au.match_name("legacy", None, "Tỉnh Kon Tum")
    assert isinstance(kon_tum, au.AdminUnit)
    assert {au.unit("legacy", c).province_code for c in quang_ngai.outside_codes} == {kon_tum.code}


def test_a_province_asked_for_communes_gives_the_communes_of_its_successor():
    communes = au.successors_2025("17", level="commune")
    assert {s.unit.parent_code for s in communes} == {"25"}
    former = {c.code for d in au.children("legacy", "17") for c in au.children("legacy", d.code)}
    assert set().union(*(s.from_codes for s in communes)) == former
    with pytest.raises(ValueError, match="abolished districts"):
        au.successors_2025("17", level="district")


def test_a_divided_commune_counts_under_every_unit_that_took_part_of_it():
    can_tho = au.match_name("legacy", None, "Thành phố Cần Thơ")
    thoi_lai = au.match_name("legacy", can_tho.code, "Huyện Thới Lai")
    tan_thanh = au.match_name("legacy", thoi_lai.code, "Xã Tân Thạnh")
    parts = au.successors_2025(tan_thanh.code)
    assert len(parts) == 2
    for part in parts:
        assert part.split_codes == (tan_thanh.code,) == part.from_codes
        predecessors = {p.unit.code: p.split for p in au.predecessors_legacy(part.unit.code)}
        assert predecessors[tan_thanh.code] is True
    district = {s.unit.code: s for s in au.successors_2025(thoi_lai.code)}
    assert codes(parts) <= set(district)


def test_predecessors_of_a_2025_commune_are_the_former_communes_it_took_in():
    predecessors = au.predecessors_legacy("28651")
    assert {p.unit.name_vi for p in predecessors} >= {"Thị trấn Vĩnh Bình"}
    assert {p.unit.parent_code for p in predecessors} == {"823"}
    assert not any(p.split for p in predecessors)


def test_a_code_means_different_units_in_the_two_eras():
    before, after = au.unit("legacy", "28651"), au.unit("2025", "28651")
    assert (before.name_vi, before.level, before.parent_code) == (
        "Thị trấn Vĩnh Bình",
        "commune",
        "823",
    )
    assert (after.name_vi, after.level, after.parent_code) == ("Xã Vĩnh Bình", "commune", "82")
    assert before.library == after.library == au.VIETNAMADMINUNITS


def test_full_and_short_names_and_levels():
    district = au.unit("legacy", "823")
    assert (district.name_vi, district.short_name_vi, district.division_type) == (
        "Huyện Gò Công Tây",
        "Gò Công Tây",
        "Huyện",
    )
    assert (district.level, district.parent_code, district.province_code) == (
        "district",
        "82",
        "82",
    )
    hoa_binh = au.unit("legacy", "17")
    assert (hoa_binh.name_vi, hoa_binh.level, hoa_binh.parent_code) == (
        "Tỉnh Hòa Bình",
        "province",
        None,
    )
    assert au.unit("legacy", "01").level == "centrally_run_city"
    phu_tho = au.unit("2025", "25")
    assert (phu_tho.name_vi, phu_tho.short_name_vi, phu_tho.level) == (
        "Tỉnh Phú Thọ",
        "Phú Thọ",
        "province",
    )
    assert au.unit("2025", "01").name_vi == "Thành phố Hà Nội"
    # A provincial city is a district; a town and a special zone are communes.
    city = au.match_name("legacy", "17", "Thành phố Hòa Bình")
    assert (city.level, city.division_type) == ("district", "Thành phố")
    assert au.unit("legacy", "28651").division_type == "Thị trấn"
    phu_quoc = au.match_name("2025", au.match_name("2025", None, "An Giang").code, "Phú Quốc")
    assert (phu_quoc.level, phu_quoc.division_type) == ("commune", "Đặc khu")


def test_a_commune_of_another_province_is_found_by_code_alone():
    phuc_xa = au.unit("legacy", "00001")
    assert (phuc_xa.name_vi, phuc_xa.level, phuc_xa.parent_code, phuc_xa.province_code) == (
        "Phường Phúc Xá",
        "commune",
        "001",
        "01",
    )
    assert au.unit("legacy", phuc_xa.parent_code).name_vi == "Quận Ba Đình"
    tan_son = au.unit("2025", "27007")
    assert (tan_son.name_vi, tan_son.level, tan_son.parent_code) == (
        "Phường Tân Sơn",
        "commune",
        "79",
    )


def test_unknown_codes_and_eras():
    assert au.unit("legacy", "999") is None
    assert au.unit("2025", "99999") is None
    assert au.unit("2025", "823") is None  # districts were abolished
    assert au.successors_2025("99999") == []
    assert au.predecessors_legacy("99999") == []
    with pytest.raises(ValueError, match="era"):
        au.unit("2024", "01")


@pytest.mark.parametrize(
    "printed",
    [
        "Hòa Bình",
        "Hoà Bình",
        "Tỉnh Hòa Bình",
        "tỉnh hoà bình",
        "  Hòa   Bình ",
        unicodedata.normalize("NFD", "Tỉnh Hoà Bình"),
    ],
)
def test_names_match_across_tone_placement_case_nfd_and_type_word(printed):
    found = au.match_name("legacy", None, printed)
    assert isinstance(found, au.AdminUnit) and found.code == "17"


def test_a_library_spelling_with_the_other_tone_placement_is_matched():
    # A library may write "Xã Thanh Thuỷ" where reports print "Thanh Thủy", or the reverse.
    found = au.match_name("2025", "25", "Xã Thanh Thủy")
    assert isinstance(found, au.AdminUnit)
    assert au.name_key(found.name_vi) == au.name_key("Xã Thanh Thủy")
    assert au.match_name("2025", "25", "Thanh Thuỷ") == found


def test_names_match_within_their_parent_and_era():
    assert au.match_name("legacy", "82", "Huyện Gò Công Tây").code == "823"
    assert au.match_name("legacy", "82", unicodedata.normalize("NFD", "gò công tây")).code == "823"
    assert au.match_name("legacy", "51", "Gò Công Tây") is None  # another province
    assert au.match_name("2025", "82", "Gò Công Tây") is None  # no districts in 2025
    assert au.match_name("2025", None, "TP. Hà Nội").code == "01"
    assert au.match_name("2025", None, "Thủ đô Hà Nội").code == "01"


def test_tones_still_tell_names_apart():
    thanh = au.match_name("legacy", "524", "Bình Thạnh")
    thanh_plain = au.match_name("legacy", "524", "Bình Thanh")
    assert thanh.name_vi == "Xã Bình Thạnh" and thanh_plain.name_vi == "Xã Bình Thanh"


def test_a_printed_type_word_must_agree():
    assert au.match_name("legacy", "823", "Thị trấn Vĩnh Bình").code == "28651"
    assert au.match_name("legacy", "823", "Xã Vĩnh Bình") is None
    assert au.match_name("2025", "82", "Xã Vĩnh Bình").code == "28651"


def test_a_name_several_units_share_is_ambiguous_until_the_type_word_decides():
    tien_giang = au.match_name("legacy", None, "Tiền Giang").code
    found = au.match_name("legacy", tien_giang, "Cai Lậy")
    assert isinstance(found, au.Ambiguous)
    assert {u.division_type for u in found.candidates} == {"Huyện", "Thị xã"}
    assert au.match_name("legacy", tien_giang, "Thị xã Cai Lậy").division_type == "Thị xã"
    assert au.match_name("legacy", tien_giang, "Huyện Cai Lậy").division_type == "Huyện"


def test_every_name_is_nfc_and_single_spaced():
    for era in ("legacy", "2025"):
        for province in au.children(era, None):
            units = [province, *au.children(era, province.code)]
            for district in au.children(era, province.code):
                units += au.children(era, district.code)
            for u in units:
                for name in (u.name_vi, u.short_name_vi):
                    assert unicodedata.is_normalized("NFC", name), u
                    assert name == " ".join(name.split()), u
                assert u.name_vi.endswith(u.short_name_vi), u


def test_the_two_libraries_provinces_agree_and_disagreements_name_both_codes():
    for p in au.children("2025", None):
        cross = au.unit("2025", p.code, library=au.VIETNAM_PROVINCES)
        assert au.name_key(cross.short_name_vi) == au.name_key(p.short_name_vi)
    assert len(au.children("2025", None)) == 34 and len(au.children("legacy", None)) == 63
    for d in au.library_disagreements():
        if d.field == "code":
            ours = au.unit("2025", d.vietnam_provinces, library=au.VIETNAM_PROVINCES)
            theirs = au.unit("2025", d.vietnamadminunits)
            assert (
                au.name_key(ours.name_vi) == au.name_key(theirs.name_vi) == au.name_key(d.name_vi)
            )
    # Spelling differences are not disagreements.
    assert all(d.name_vi != "Xã Thanh Thuỷ" for d in au.library_disagreements())


def test_versions_are_reported_for_provenance():
    versions = au.library_versions()
    assert set(versions) == {au.VIETNAMADMINUNITS}
    assert all(versions.values())


def test_the_build_library_needs_no_gpl_package():
    """vietnam-provinces (GPL) is the cross-check only: lookups never import it."""
    script = (
        "import sys\n"
        "from analysis.ingest import admin_units as au\n"
        "assert au.successors_2025('823') and au.unit('2025', '28651')\n"
        "assert au.match_name('2025', None, 'Gia Lai').code == '52'\n"
        "assert 'vietnam_provinces' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_libraries_load_from_their_shipped_data_without_the_network():
    script = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from analysis.ingest import admin_units as au\n"
        "assert {s.unit.code for s in au.successors_2025('823')} >= {'28651'}\n"
        "assert au.match_name('2025', None, 'Đồng Tháp').code == '82'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
