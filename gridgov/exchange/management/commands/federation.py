"""`gridgov federation …`: set up and drive the federation of levels from the command line.

  init-city --member 410105=URL … [--sm3 410102 …]
                                         a city tree with these districts (with URLs: registered
                                         as members, keys and secrets printed; those named with
                                         --sm3 sign with HMAC-SM3), an administrator
  init-district --area 410105 [--no-tree]
  add-member --name N --area A --url U [--signing hmac-sm3]
                                         (on the city) prints the member's key and secret; the
                                         signature algorithm (default hmac-sha256)
  sync                                   queue what other levels need and send the outbox now
  report --description D [--area A] [--escalate DEPT]
                                         a case (for demos and tests), prints its id
  escalate --case N [--department D]     (on a district) send a case up
  step --case N --action A [--note T]    take a loop step on a case (as the setup account)
  warn --headline H [--colour blue]      (on the city) issue a warning over the whole city
  status                                 figures as JSON (members, cases, messages, timeline,
                                         and the cockpit's federation panel as "admin" sees it)

With --sync, any command then runs `sync`. Every answer is one JSON object on standard output.
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gridgov.accounts.system import SETUP, system_user


class Command(BaseCommand):
    help = "Set up and drive the federation of levels (docs/federation.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "what",
            choices=[
                "init-city",
                "init-district",
                "add-member",
                "sync",
                "report",
                "escalate",
                "step",
                "warn",
                "status",
            ],
        )
        parser.add_argument("--member", action="append", default=[])
        parser.add_argument("--sm3", action="append", default=[])
        parser.add_argument("--escalate", default=None)
        parser.add_argument("--sync", action="store_true")
        parser.add_argument("--area", default="")
        parser.add_argument("--name", default="")
        parser.add_argument("--url", default="")
        parser.add_argument("--signing", default="hmac-sha256", choices=["hmac-sha256", "hmac-sm3"])
        parser.add_argument("--no-tree", action="store_true")
        parser.add_argument("--description", default="")
        parser.add_argument("--case", type=int, default=0)
        parser.add_argument("--department", default="")
        parser.add_argument("--action", default="")
        parser.add_argument("--note", default="")
        parser.add_argument("--headline", default="")
        parser.add_argument("--colour", default="blue")

    def handle(self, *args, what, **o):
        try:
            answer = getattr(self, "_" + what.replace("-", "_"))(**o)
            if o["sync"] and what != "sync":
                answer["sync"] = self._sync()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(json.dumps(answer, ensure_ascii=False, default=str))

    def _init_city(self, member, **o):
        from gridgov.exchange import federation_setup

        pairs = [m.partition("=") for m in member]
        answer = federation_setup.init_city([area for area, _eq, _url in pairs])
        answer["members"] = {
            area: self._add_member(
                name="",
                area=area,
                url=url,
                signing="hmac-sm3" if area in o["sm3"] else o["signing"],
            )
            for area, _eq, url in pairs
            if url
        }
        return answer

    def _init_district(self, area, no_tree, **_o):
        from gridgov.exchange import federation_setup

        return federation_setup.init_district(area, with_tree=not no_tree)

    def _add_member(self, name, area, url, signing="hmac-sha256", **_o):
        from gridgov.areas.models import Area
        from gridgov.exchange.services.federation import register_member

        known = Area.objects.filter(code=area).values_list("name", flat=True).first()
        member, key = register_member(
            system_user(SETUP), name=name or known or area, area_code=area, url=url, signing=signing
        )
        return {
            "member": member.pk,
            "area": area,
            "key": key,
            "secret": member.client.secret,
            "signing": member.signing,
        }

    def _sync(self, **_o):
        from gridgov.exchange.services.federation import push_all
        from gridgov.notify.models import Outbox, OutboxStatus
        from gridgov.notify.outbox import send_due

        counts = push_all()
        sent = Outbox.objects.filter(status=OutboxStatus.SENT)
        before = sent.count()
        counts.update(send_due())
        # federation messages ride along in batches: count the messages, not the hand-overs
        counts["sent"] = sent.count() - before
        return counts

    def _report(self, description, area, escalate, department, note, **_o):
        from gridgov.cases.models.case import Channel
        from gridgov.cases.services.intake import report_case

        case, _created = report_case(
            actor=system_user(SETUP),
            channel=Channel.HOTLINE,
            description=description or "井盖缺失",
            address="文化路 1 号",
            area_code=area or None,
            reporter_name="张三",
            reporter_phone="13800138000",
        )
        if escalate is not None:
            self._escalate(case=case.pk, department=escalate or department, note=note)
        return {"case": case.pk, "area": case.area_code}

    def _escalate(self, case, department, note, **_o):
        from gridgov.cases.models import Case
        from gridgov.exchange.services.federation import escalate_to_parent

        found = Case.objects.filter(pk=case).first()
        if found is None:
            raise CommandError("No such case.")
        link = escalate_to_parent(system_user(SETUP), found, department=department, note=note)
        return {"case": found.pk, "peer": link.peer}

    def _step(self, case, action, note, **_o):
        from gridgov.cases.models import Case
        from gridgov.cases.services.loop import perform

        found = Case.objects.filter(pk=case).first()
        if found is None:
            raise CommandError("No such case.")
        done = perform(found, action, actor=system_user(SETUP), note=note)
        return {"case": done.pk, "status": done.status}

    def _warn(self, headline, colour, **_o):
        from gridgov.areas.models import Area
        from gridgov.warnings import services as warnings

        root = Area.objects.active().filter(parent__isnull=True).order_by("code").first()
        if root is None:
            raise CommandError("No area tree.")
        actor = system_user(SETUP)
        draft = warnings.create_draft(
            acting_user=actor,
            area_code=root.code,
            data=warnings.WarningInput(
                event="暴雨",
                colour=colour,
                headline=headline or "暴雨预警",
                target_codes=[root.code],
            ),
        )
        warning = warnings.issue(warnings.approve(draft, acting_user=actor), acting_user=actor)
        return {"warning": warning.pk, "identifier": warning.identifier}

    def _cockpit(self):
        """The federation panel of the cockpit, for the administrator at their own area."""
        from gridgov.accounts.models import User
        from gridgov.dashboard import queries, queries_federation

        admin = User.objects.filter(username="admin").first()
        if admin is None:
            return None
        return queries_federation.panel(admin, queries.area_for(admin))

    def _status(self, **_o):
        from gridgov.cases.models import Case, CaseEvent
        from gridgov.exchange.models import (
            FederationLink,
            FederationMember,
            FederationMessage,
            MemberCaseFact,
        )
        from gridgov.warnings.models import Warning

        return {
            "cockpit": self._cockpit(),
            "members": {
                m.area_code: MemberCaseFact.objects.filter(member=m).count()
                for m in FederationMember.objects.order_by("area_code")
            },
            "facts": sorted(
                f"{f.member.area_code}:{f.local_id}:{f.status}"
                for f in MemberCaseFact.objects.select_related("member")
            ),
            "cases": {
                str(c.pk): {"status": c.status, "channel": c.channel, "reporter": c.reporter_name}
                for c in Case.objects.order_by("pk")
            },
            "links": {
                str(k.case_id): {"role": k.role, "peer": k.peer, "remote": k.remote_id}
                for k in FederationLink.objects.order_by("pk")
            },
            "steps": [
                {"case": e.case_id, "action": e.action, "note": e.note, "data": e.data}
                for e in CaseEvent.objects.filter(action="federation_step").order_by("time", "pk")
            ],
            "warnings": [
                {"headline": w.headline, "state": w.state, "ref": w.external_ref}
                for w in Warning.objects.order_by("pk")
            ],
            "messages_in": FederationMessage.objects.filter(direction="in").count(),
            "refused": FederationMessage.objects.filter(outcome__startswith="refused").count(),
        }
