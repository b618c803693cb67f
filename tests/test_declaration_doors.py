"""The write doors of a 申报表: saving a draft and submitting, rules and rights inside."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import actor_for, open_declarations
from tests.sample_files import PDF
from themeday.core.declaration_rules import ThemeRow
from themeday.core.domain import PermissionDenied, StaleRecord, ValidationError
from themeday.formats.uploads import FileStore
from themeday.services import declarations

ROOT = Path(__file__).resolve().parent.parent
ROW = ThemeRow("乡村振兴政策宣讲", 12, "政策发布", "", "")


@pytest.fixture
def doors(demo, tmp_path):
    """unit3 (no 申报表 yet) in the current campaign, its deadline 11-30 (Mon), a week
    after the test clock; a store for the stamped scan."""
    office = actor_for(demo, "office")
    unit3 = actor_for(demo, "unit3")
    campaign = open_declarations(demo, office)
    return demo, unit3, campaign, FileStore(tmp_path / "uploads")


def save(repo, actor, campaign, rows, version=0, **kwargs):
    return declarations.save_draft(
        repo,
        actor,
        campaign,
        version,
        contact_person=kwargs.pop("person", "王建华"),
        contact_phone=kwargs.pop("phone", "0739-5321103"),
        rows=rows,
        **kwargs,
    )


def test_a_draft_is_saved_with_the_form_contact_in_empty_row_contacts(doors):
    repo, unit3, campaign, _ = doors
    own = replace(ROW, title="高标准农田政策宣讲", contact="李四 13800000000")
    declaration_id = save(repo, unit3, campaign, [ROW, own], person=" 王建华 ")
    declaration = repo.declarations.get_declaration(unit3, declaration_id)
    assert (declaration.status, declaration.contact_person) == ("draft", "王建华")
    themes = repo.declarations.list_themes(unit3, declaration_id)
    assert [t.contact for t in themes] == ["王建华 0739-5321103", "李四 13800000000"]
    # a draft may still break the campaign's rules (here: no stamped scan)
    assert declarations.problems_of(repo, unit3, campaign, declaration) == [
        "请上传加盖公章的申报表电子扫描件。"
    ]


def test_a_half_filled_row_or_an_over_long_title_is_refused_not_cut(doors):
    repo, unit3, campaign, _ = doors
    half = ThemeRow("乡村振兴政策宣讲", None, "", "", "")
    with pytest.raises(ValidationError) as refused:
        save(repo, unit3, campaign, [half])
    assert refused.value.messages == ["第1行：请选择计划月份、活动形式。"]
    long = replace(ROW, title="长" * 61)
    with pytest.raises(ValidationError) as refused:
        save(repo, unit3, campaign, [ROW, long])
    assert refused.value.messages == ["第2行：活动主题不能超过60个字（现为61个字），请精简。"]
    assert (
        repo.declarations.declaration_for(unit3, campaign.id, unit3.unit_id) is None
    )  # nothing written


def test_only_a_unit_itself_or_the_office_saves_its_draft(doors):
    repo, unit3, campaign, _ = doors
    with pytest.raises(PermissionDenied):
        save(repo, actor_for(repo, "leader"), campaign, [ROW], unit_id=unit3.unit_id)
    with pytest.raises(PermissionDenied):
        save(repo, actor_for(repo, "unit1"), campaign, [ROW], unit_id=unit3.unit_id)
    office = actor_for(repo, "office")
    declaration_id = save(repo, office, campaign, [ROW], unit_id=unit3.unit_id)  # 代为填报
    assert repo.declarations.get_declaration(unit3, declaration_id).unit_id == unit3.unit_id
    with pytest.raises(StaleRecord):  # the form was filled from version 0
        save(repo, unit3, campaign, [ROW])


def test_submit_checks_the_rules_itself_and_refuses(doors):
    repo, unit3, campaign, _ = doors
    declaration_id = save(repo, unit3, campaign, [ROW])
    lenient = replace(campaign, rules=campaign.rules.with_changes(scan_required=False))
    with pytest.raises(ValidationError) as refused:  # the caller's rules do not count
        declarations.submit(repo, unit3, lenient, declaration_id)
    assert refused.value.messages == ["请上传加盖公章的申报表电子扫描件。"]
    assert repo.declarations.get_declaration(unit3, declaration_id).status == "draft"


def test_submit_counts_the_lateness_itself(doors, clock):
    repo, unit3, campaign, store = doors
    declaration_id = save(repo, unit3, campaign, [ROW])
    declarations.upload_scan(repo, unit3, declaration_id, PDF, "scan.pdf", store)
    clock.current = clock.current.replace(2026, 12, 2)  # deadline 11-30 (Mon): 12-01, 12-02
    assert declarations.late_if_submitted_now(repo, unit3, campaign) == 2
    assert declarations.submit(repo, unit3, campaign, declaration_id) == 2
    submitted = repo.declarations.get_declaration(unit3, declaration_id)
    assert (submitted.status, submitted.late_workdays) == ("submitted", 2)


def test_the_declaration_pages_write_only_through_the_service():
    """No repository write from the 申报 pages: each goes through its service door."""
    write = re.compile(
        r"\brepo\.(save|submit|create|update|import|attach|review|amend|set|delete|record)_\w*\("
    )
    for page in ("unit/declaration_form.py", "unit/unit_home.py"):
        source = (ROOT / "pages" / page).read_text(encoding="utf-8")
        assert not write.findall(source), page
