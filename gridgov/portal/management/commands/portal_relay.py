"""`gridgov portal_relay …`: the relay between a public instance and the core (docs/portal.md).

  push                      (public) send the queued reports to the core now
  pull                      (public) copy the public steps of relayed reports from the core
  --export DIR              by exchange files (one-way gateways): on a public instance, write
                            what is due for the core into DIR; on the core, write the answers
                            for each public instance into DIR
  --import DIR              by exchange files: on the core, make what the public instances'
                            files in DIR carry (once per UUID); on a public instance, copy the
                            core's answers. Files read move to DIR/imported (DIR/refused when
                            they do not verify)
  keys                      this instance's public keys (JSON), for the other side's "trust"
  trust --keys JSON [--client ID]
                            register the other side's keys: on the core, a public instance's
                            (its client system, from issue-key); on a public instance, the core's
  status                    figures as JSON: the outbox here (public) or the relayed reports (core)
  issue-key --area A [--name N] [--kind open311]
                            (core) a client system of kind "public portal instance" for these
                            areas; prints its API key once (GRIDGOV_CORE_KEY of the instance).
                            With --kind open311 (on a public instance) the key of an Open311
                            client that POSTs requests there
  setup --area A            a small area tree and the public categories (demos and tests)
  report --phone P --description D --lon X --lat Y [--photo FILE]
                            (demos and tests) a citizen's report as the portal form makes it:
                            the SMS code is sent, read back from the outbox and confirmed
  rate --number N --phone P --score S [--note T]
  not-fixed --number N --phone P --note T
                            (demos and tests) the reporter rates the closed report or says
                            "not fixed", as its status page does (on a public instance: queued
                            for the core, sent by the next push)
  join --number N --phone P [--note T]
  follow --number N --phone P
                            (demos and tests) a citizen (confirmed by the SMS code, read back)
                            joins the report ("I see it too") or follows it; on a public
                            instance queued for the core, sent by the next push
  codes --phone P           (demos and tests) the SMS codes sent to P, newest first
  step --number N --action A [--action B …] [--department D]
                            (core; demos and tests) loop steps on the case of a report, in
                            order, or "publish" (moderation: its text and photos become public);
                            a dispatch goes to department D (made if missing)

Every answer is one JSON object on standard output.
"""

import json
import pathlib
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from gridgov.accounts.system import PORTAL, SETUP, system_user


class Command(BaseCommand):
    help = "The relay between a public portal instance and the core (docs/portal.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "what",
            nargs="?",
            default="",
            choices=[
                "", "push", "pull", "status", "issue-key", "setup", "report", "rate", "not-fixed",
                "step", "keys", "trust", "join", "follow", "codes",
            ],
        )  # fmt: skip
        parser.add_argument("--export", dest="export_dir", default="")
        parser.add_argument("--import", dest="import_dir", default="")
        parser.add_argument("--suite", choices=["sm", "common"], default="sm")
        parser.add_argument("--keys", default="")
        parser.add_argument("--client", type=int, default=None)
        parser.add_argument("--area", action="append", default=[])
        parser.add_argument("--name", default="public portal")
        parser.add_argument("--phone", default="")
        parser.add_argument("--description", default="")
        parser.add_argument("--category", default="C0110")
        parser.add_argument("--lon", type=float, default=None)
        parser.add_argument("--lat", type=float, default=None)
        parser.add_argument("--photo", default="")
        parser.add_argument("--number", default="")
        parser.add_argument("--action", action="append", default=[])
        parser.add_argument("--department", default="")
        parser.add_argument("--kind", choices=["public_portal", "open311"], default="public_portal")
        parser.add_argument("--score", type=int, default=None)
        parser.add_argument("--note", default="")

    def handle(self, *args, what, **o):
        if o["export_dir"] or o["import_dir"]:
            what = "files"
        if not what:
            raise CommandError("Say what: push, pull, status, … or --export / --import DIR.")
        try:
            answer = getattr(self, "_" + what.replace("-", "_"))(**o)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(answer, ensure_ascii=False, default=str))

    def _files(self, export_dir, import_dir, suite, **_o):
        from gridgov.portal.services import relay_files
        from gridgov.portal.services.relay import is_public

        portal = system_user(PORTAL)
        done = {}
        if import_dir:
            read = relay_files.import_down if is_public() else relay_files.import_up
            done["imported"] = read(pathlib.Path(import_dir), actor=portal)
        if export_dir:
            if is_public():
                done["exported"] = relay_files.export_up(
                    pathlib.Path(export_dir), actor=portal, suite=suite
                )
            else:
                done["exported"] = relay_files.export_down(
                    pathlib.Path(export_dir), actor=portal, suite=suite
                )
        return done

    def _keys(self, **_o):
        from gridgov.portal.services.relay_files import own_keys

        return own_keys()

    def _trust(self, keys, client, **_o):
        from gridgov.exchange.models import ClientSystem
        from gridgov.portal.services.relay_files import trust_peer

        try:
            given = json.loads(keys)
        except ValueError as exc:
            raise CommandError("--keys is the JSON that 'portal_relay keys' printed.") from exc
        found = ClientSystem.objects.filter(pk=client).first() if client else None
        if client and found is None:
            raise CommandError("No such client system.")
        peer = trust_peer(given, client=found, actor=system_user(PORTAL))
        return {"peer": peer.pk, "client": client}

    def _push(self, **_o):
        from gridgov.portal.services.relay import push_pending

        done = push_pending(actor=system_user(PORTAL))
        return {"sent": done.sent, "not_sent": done.not_sent, "refused": done.refused}

    def _pull(self, **_o):
        from gridgov.portal.services.relay import pull_status

        return {"changed": pull_status(actor=system_user(PORTAL))}

    def _status(self, **_o):
        from gridgov.cases.models import Case, Channel
        from gridgov.portal.models import (
            PortalReport,
            RelayAction,
            RelayedReport,
            RelayFollow,
            RelayOut,
            RelayRequest,
        )

        return {
            "cases": Case.objects.filter(channel=Channel.PORTAL).count(),
            "open311_cases": Case.objects.filter(channel=Channel.OPEN311).count(),
            "reports": {
                r.number: {
                    "status": r.public_status,
                    "moderation": r.moderation,
                    "satisfaction": r.satisfaction,
                }
                for r in PortalReport.objects.order_by("pk")
            },
            "outbox": [
                {
                    "number": r.report.number,
                    "state": r.state,
                    "attempts": r.attempts,
                    "core_number": r.core_number,
                }
                for r in RelayOut.objects.select_related("report").order_by("pk")
            ],
            "actions": [
                {"number": a.report.number, "kind": a.kind, "state": a.state}
                for a in RelayAction.objects.select_related("report").order_by("pk")
            ],
            "requests": [
                {"token": r.token, "state": r.state, "core_number": r.core_number}
                for r in RelayRequest.objects.order_by("pk")
            ],
            "follows": [
                {"kind": f.kind, "state": f.state, "number": f.report.number if f.report else ""}
                for f in RelayFollow.objects.select_related("report").order_by("pk")
            ],
            "followers": {
                r.number: sorted(r.followers.values_list("kind", flat=True))
                for r in PortalReport.objects.order_by("pk")
            },
            "relayed": {
                str(r.uuid): r.report.number
                for r in RelayedReport.objects.select_related("report").order_by("pk")
            },
        }

    def _issue_key(self, area, name, kind, **_o):
        from gridgov.exchange.services.clients import issue_client

        client, key = issue_client(system_user(SETUP), name=name, kind=kind, area_codes=area)
        return {"client": client.pk, "key": key}

    def _setup(self, area, **_o):
        from gridgov.areas.models import Area
        from gridgov.areas.services import bulk_load
        from gridgov.exchange.federation_setup import _district_rows
        from gridgov.portal.services import seed_public_categories

        for code in area:
            if not Area.objects.filter(code=code).exists():
                bulk_load(_district_rows(code, None), actor=system_user(SETUP), note="portal")
        return {"areas": area, "categories": seed_public_categories(actor=system_user(SETUP))}

    def _report(self, phone, description, category, lon, lat, photo, **_o):
        from gridgov.cases.services import check_photos
        from gridgov.portal import services
        from gridgov.portal.models import PublicCategory

        portal = system_user(PORTAL)
        services.send_code(phone, actor=portal)
        body = services.codes_sent_to(phone)[0]
        citizen = services.confirm_code(phone, re.findall(r"[0-9]{6}", body)[0], actor=portal)
        photos = check_photos([(pathlib.Path(photo).read_bytes(), "photo")]) if photo else []
        report = services.submit_report(
            actor=portal,
            category=PublicCategory.objects.get(category__code=category),
            description=description,
            citizen=citizen,
            lon=lon,
            lat=lat,
            photos=photos,
        )
        return {"number": report.number, "case": report.case_id}

    def _codes(self, phone, **_o):
        from gridgov.notify.models import Outbox

        bodies = Outbox.objects.filter(destination=phone, source__startswith="portal.code:")
        bodies = bodies.order_by("-id").values_list("body", flat=True)
        return {"codes": [c for body in bodies for c in re.findall(r"[0-9]{6}", body)[:1]]}

    def _join(self, number, phone, note, **_o):
        return self._follow(number, phone, note, join=True)

    def _follow(self, number, phone, note="", join=False, **_o):
        from gridgov.portal import services
        from gridgov.portal.models import PortalReport

        portal = system_user(PORTAL)
        report = PortalReport.objects.filter(number=number).first()
        if report is None:
            raise CommandError("No such report.")
        services.send_code(phone, actor=portal)
        body = services.codes_sent_to(phone)[0]
        citizen = services.confirm_code(phone, re.findall(r"[0-9]{6}", body)[0], actor=portal)
        if join:
            follower = services.join_report(report, citizen, actor=portal, note=note)
        else:
            follower = services.follow_report(report, citizen, actor=portal)
        return {"number": number, "kind": follower.kind}

    def _citizen_and_report(self, number, phone):
        from gridgov.portal.models import Citizen, PortalReport

        report = PortalReport.objects.filter(number=number).first()
        citizen = Citizen.objects.filter(phone=phone).first() if phone else None
        if report is None or citizen is None:
            raise CommandError("No such report, or no citizen with this phone.")
        return report, citizen

    def _rate(self, number, phone, score, note, **_o):
        from gridgov.portal import services

        report, citizen = self._citizen_and_report(number, phone)
        if score is None:
            raise CommandError("Give --score 1..5.")
        services.rate_report(report, citizen, score, actor=system_user(PORTAL), note=note)
        return {"number": number, "rated": score}

    def _not_fixed(self, number, phone, note, **_o):
        from gridgov.portal import services

        report, citizen = self._citizen_and_report(number, phone)
        services.not_fixed(report, citizen, note, actor=system_user(PORTAL))
        return {"number": number, "not_fixed": True}

    def _step(self, number, action, department, **_o):
        from gridgov.accounts.models import Department, DepartmentLevel
        from gridgov.areas.models import Area
        from gridgov.cases.machine import DEPARTMENT, TRANSITIONS
        from gridgov.cases.models import Case
        from gridgov.cases.services.loop import perform
        from gridgov.portal.models import PortalReport
        from gridgov.portal.services import moderate

        report = PortalReport.objects.filter(number=number).first()
        if report is None:
            raise CommandError("No such report.")
        done = []
        for one in action:
            case = Case.objects.get(pk=report.case_id)
            if one == "publish":
                moderate(report, actor=system_user(SETUP), publish=True)
                done.append("published")
                continue
            if one not in TRANSITIONS:
                raise CommandError(f"Unknown action {one}.")
            extra = {}
            if "department" in TRANSITIONS[one].needs:
                found = Department.objects.filter(name=department or "市政维修").first()
                if found is None:
                    from gridgov.accounts.services import create_department

                    found = create_department(
                        actor=system_user(SETUP),
                        code=f"PR{Department.objects.count() + 1:04d}",
                        name=department or "市政维修",
                        level=DepartmentLevel.DISTRICT,
                        area=Area.objects.get(code=case.area_code[:6]),
                    )
                extra["department"] = found
            actor = system_user(SETUP)
            if TRANSITIONS[one].actor == DEPARTMENT and case.department_id:
                actor = self._handler(case.department)
            case = perform(case, one, actor=actor, note=f"{one} (portal_relay)", **extra)
            done.append(case.status)
        return {"number": number, "done": done}

    def _handler(self, department):
        """A handler of the department (made once) to take its steps in demos and tests."""
        from gridgov.accounts.models import User
        from gridgov.accounts.permissions import Role
        from gridgov.accounts.services import create_user

        username = f"handler-{department.code.lower()}"
        found = User.objects.filter(username=username).first()
        return found or create_user(
            actor=system_user(SETUP),
            username=username,
            password=None,
            role=Role.DEPARTMENT_HANDLER,
            scope_codes=[department.area_code],
            full_name="处置人员",
            department=department,
        )
