"""A writer process for the crash-safety test: ``python tests/crash_writer.py DB ACKS SEED``.

It opens the database through the app's own code and works through the units of the
current campaign with the real repository calls, the way units and the office do:

- a unit without a 申报表 saves a draft (保存草稿), a draft or returned one is edited
  and saved again, then submitted (提交; after a return that is the resubmission);
- the office reviews each submitted one: mostly 退回修改 (with a reason), sometimes 通过;
- on an approved 申报表 the office amends a theme's month and form (修改已通过的主题).

After each call has committed it appends one JSON line to ``ACKS`` and fsyncs it: the
acknowledgement the test later holds the database to. It prints ``ready`` once the
database is open, then writes until it is killed (or ``--max-writes`` is reached).
``--checkpoint-threshold`` makes DuckDB fold the WAL into the file often, so that a
kill may also land in the middle of a checkpoint.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from themeday.core.domain import STANDARD_FORMS, SYSTEM_ACTOR, Actor, DeclarationStatus, Role
from themeday.repository import Repository
from themeday.storage import db

OFFICE = Actor(user_id=1, username="office", role=Role.OFFICE, display_name="政务公开办")


def unit_actor(unit_id: int) -> Actor:
    """The 填报员 of a unit (the repository scopes its calls to that unit)."""
    return Actor(user_id=100 + unit_id, username=f"unit{unit_id}", role=Role.UNIT, unit_id=unit_id)


def themes(unit_id: int, edit: int) -> list[dict]:
    """The rows of a unit's 申报表 at its ``edit``-th save."""
    return [
        {
            "title": f"单位{unit_id}第{n}个主题（第{edit}稿）",
            "planned_month": 4 + (unit_id + n + edit) % 7,
            "form": STANDARD_FORMS[(unit_id + n) % len(STANDARD_FORMS)],
            "summary": "崩溃测试",
            "contact": "联系人 0739-5321101",
        }
        for n in (1, 2)
    ]


class Writer:
    """One step at a time, each a committed repository call followed by its ack."""

    def __init__(self, repo: Repository, acks: IO[str], rng: random.Random):
        self.repo = repo
        self.acks = acks
        self.rng = rng
        campaign = repo.catalogue.current_campaign(SYSTEM_ACTOR)
        assert campaign is not None, "seed the database first"
        self.campaign = campaign
        self.unit_ids = [u.id for u in repo.catalogue.list_units(SYSTEM_ACTOR)]
        self.writes = 0

    def ack(self, op: str, **fields: object) -> None:
        """Append the acknowledgement of a committed write and make it durable."""
        self.acks.write(json.dumps({"op": op, **fields}, ensure_ascii=False) + "\n")
        self.acks.flush()
        os.fsync(self.acks.fileno())
        self.writes += 1

    def ack_declaration(self, op: str, declaration_id: int) -> None:
        d = self.repo.declarations.get_declaration(SYSTEM_ACTOR, declaration_id)
        self.ack(
            op,
            declaration_id=d.id,
            unit_id=d.unit_id,
            version=d.version,
            status=d.status,
            contact_phone=d.contact_phone,
        )

    def step(self, unit_id: int) -> None:
        """The next thing that happens to one unit's 申报表."""
        repo, actor = self.repo, unit_actor(unit_id)
        declaration = repo.declarations.declaration_for(actor, self.campaign.id, unit_id)
        if declaration is None:
            declaration_id = repo.declarations.save_declaration(
                actor,
                self.campaign.id,
                unit_id,
                0,
                contact_person="联系人",
                contact_phone="0739-5300000",
                themes=themes(unit_id, 0),
            )
            self.ack_declaration("save_draft", declaration_id)
            return
        status, version = DeclarationStatus(declaration.status), declaration.version
        if status in (DeclarationStatus.DRAFT, DeclarationStatus.RETURNED):
            if self.rng.random() < 0.6:  # edit first, then submit on a later step
                repo.declarations.save_declaration(
                    actor,
                    self.campaign.id,
                    unit_id,
                    version,
                    contact_person="联系人",
                    contact_phone=f"0739-53{version:05d}",
                    themes=themes(unit_id, version),
                )
                self.ack_declaration("save_draft", declaration.id)
            else:
                repo.declarations.submit_declaration(actor, declaration.id, version, 0)
                self.ack_declaration("submit", declaration.id)
        elif status == DeclarationStatus.SUBMITTED:
            approve = self.rng.random() < 0.25
            reason = "" if approve else f"第{version}版：请写明具体的政策或项目名称。"
            repo.declarations.review_declaration(
                OFFICE, declaration.id, version, approve=approve, reason=reason
            )
            self.ack_declaration("approve" if approve else "return", declaration.id)
        else:  # approved: the office moves one theme to another month and form
            theme = self.rng.choice(repo.declarations.list_themes(OFFICE, declaration.id))
            month = 4 + (theme.planned_month - 4 + 1) % 7
            form = STANDARD_FORMS[(STANDARD_FORMS.index(theme.form) + 1) % len(STANDARD_FORMS)]
            repo.declarations.amend_theme(
                OFFICE, theme.id, planned_month=month, form=form, reason="崩溃测试"
            )
            amended = repo.activities.get_activity(OFFICE, theme.id)
            self.ack(
                "amend",
                activity_id=theme.id,
                declaration_id=declaration.id,
                version=amended.version,
                planned_month=amended.planned_month,
                form=amended.form,
            )

    def run(self, max_writes: int) -> None:
        while self.writes < max_writes:
            self.step(self.rng.choice(self.unit_ids))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="崩溃测试的写入进程")
    parser.add_argument("db", type=Path)
    parser.add_argument("acks", type=Path)
    parser.add_argument("seed", type=int)
    parser.add_argument("--max-writes", type=int, default=10**9)
    parser.add_argument("--checkpoint-threshold", default="")
    args = parser.parse_args(argv)

    con = db.connect(args.db)
    if args.checkpoint_threshold:
        con.execute(f"SET checkpoint_threshold = '{args.checkpoint_threshold}'")
    repo = Repository(db.cursor(con))
    with args.acks.open("a", encoding="utf-8") as acks:
        writer = Writer(repo, acks, random.Random(args.seed))
        print("ready", flush=True)
        writer.run(args.max_writes)
    con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
