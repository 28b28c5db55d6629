from gridgov.notify import sms_services
from gridgov.notify.models import GroupKind, OptOut, SmsBatch, SmsTemplate
from gridgov.notify.outbox import enqueue_message
from gridgov.notify.services import notify
from gridgov.tests.scope import Case


def setup(world) -> None:
    notify([world.users["op_b"]], "乙街道的私信")
    op_b = world.users["op_b"]
    o = world.objects
    o["sms_template_b"] = sms_services.save_template(
        op_b, name="乙街道模板", signature="花园路街道", body="乙街道模板正文{name}"
    )
    o["sms_group_b"] = sms_services.save_group(
        op_b, name="乙街道短信组", kind=GroupKind.CONTACTS, contacts=[("乙联系人", "13911110000")]
    )
    sent = sms_services.save_batch(
        op_b,
        body="乙街道群发内容",
        template=None,
        variables={},
        recipients={"numbers": ["13911110001"]},
    )
    o["sms_batch_b"] = sms_services.send_batch(op_b, sent)
    o["sms_draft_b"] = sms_services.save_batch(
        op_b, body="乙街道草稿", template=None, variables={}, recipients={}
    )
    o["sms_optout_b"] = sms_services.add_opt_out(op_b, phone="13911110002", reason="乙街道退订")
    o["sms_row_b"] = enqueue_message(
        "sms", "13911110003", "乙街道案件短信", area_code=world.tree.streets[1].code
    )


def _b_read(world, _answer) -> bool:
    """Street B's operator's message was marked read."""
    from gridgov.notify.models import Message

    return Message.objects.filter(user=world.users["op_b"], read_at__isnull=False).exists()


def _pk(name: str):
    return lambda w: w.objects[name].pk


CASES = [
    # Messages are their addressee's own: street B's operator is the one who sees them.
    Case(
        "notify/",
        lambda w: "/notify/",
        expect=200,
        absent=lambda w: ["乙街道的私信"],
        live_as="op_b",
    ),
    Case(
        "notify/read/",
        lambda w: "/notify/read/",
        "POST",
        expect=302,
        multipart=True,
        live_as="op_b",
        leaks=_b_read,
    ),
    # The SMS platform: a street sees its own messages, templates, groups, opt-outs and figures.
    Case("notify/sms/", lambda w: "/notify/sms/", expect=200, absent=lambda w: ["乙街道群发内容"]),
    Case(
        "notify/sms/compose/",
        lambda w: "/notify/sms/compose/",
        expect=200,
        absent=lambda w: ["乙街道短信组"],
    ),
    Case(
        "notify/sms/compose/",
        lambda w: "/notify/sms/compose/",
        "POST",
        data=lambda w: {"body": "x", "groups": [w.objects["sms_group_b"].pk], "save": "1"},
        multipart=True,
        expect=200,  # the form refuses the group it does not offer
        live_expect=302,
        leaks=lambda w, _a: SmsBatch.objects.filter(body="x").exists(),
    ),
    Case(
        "notify/sms/compose/<int:pk>/",
        lambda w: f"/notify/sms/compose/{w.objects['sms_draft_b'].pk}/",
    ),
    Case(
        "notify/sms/compose/<int:pk>/",
        lambda w: f"/notify/sms/compose/{w.objects['sms_draft_b'].pk}/",
        "POST",
        data=lambda w: {"body": "改了", "save": "1"},
        multipart=True,
    ),
    Case(
        "notify/sms/preview/",
        lambda w: "/notify/sms/preview/",
        data=lambda w: {"template": w.objects["sms_template_b"].pk},
        expect=200,
        # B's template counted: 【花园路街道】 + its text
        leaks=lambda w, answer: answer["units"] > 0,
    ),
    Case("notify/sms/<int:pk>/", lambda w: f"/notify/sms/{w.objects['sms_batch_b'].pk}/"),
    Case(
        "notify/sms/<int:pk>/<str:action>/",
        lambda w: f"/notify/sms/{w.objects['sms_batch_b'].pk}/archive/",
        "POST",
        multipart=True,
        live_expect=302,
    ),
    Case(
        "notify/sms/templates/",
        lambda w: "/notify/sms/templates/",
        expect=200,
        absent=lambda w: ["乙街道模板正文"],
    ),
    Case(
        "notify/sms/templates/",
        lambda w: "/notify/sms/templates/",
        "POST",
        multipart=True,
        expect=200,  # an empty form comes back; the list shows no template of street B
        absent=lambda w: ["乙街道模板正文"],
    ),
    Case(
        "notify/sms/templates/<int:pk>/decide/",
        lambda w: f"/notify/sms/templates/{w.objects['sms_template_b'].pk}/decide/",
        "POST",
        data=lambda w: {"approve": "1"},
        multipart=True,
        live_expect=302,
        leaks=lambda w, _a: SmsTemplate.objects.filter(state="approved").exists(),
    ),
    Case(
        "notify/sms/groups/",
        lambda w: "/notify/sms/groups/",
        expect=200,
        absent=lambda w: ["乙街道短信组"],
    ),
    Case(
        "notify/sms/groups/",
        lambda w: "/notify/sms/groups/",
        "POST",
        multipart=True,
        expect=200,
        absent=lambda w: ["乙街道短信组"],
    ),
    Case(
        "notify/sms/groups/<int:pk>/",
        lambda w: f"/notify/sms/groups/{w.objects['sms_group_b'].pk}/",
    ),
    Case(
        "notify/sms/groups/<int:pk>/",
        lambda w: f"/notify/sms/groups/{w.objects['sms_group_b'].pk}/",
        "POST",
        data=lambda w: {"name": "改名", "kind": "contacts"},
        multipart=True,
        live_expect=302,
    ),
    Case(
        "notify/sms/optout/",
        lambda w: "/notify/sms/optout/",
        expect=200,
        absent=lambda w: ["乙街道退订"],
    ),
    Case(
        "notify/sms/optout/",
        lambda w: "/notify/sms/optout/",
        "POST",
        multipart=True,
        expect=200,
        absent=lambda w: ["乙街道退订"],
    ),
    Case(
        "notify/sms/optout/<int:pk>/remove/",
        lambda w: f"/notify/sms/optout/{w.objects['sms_optout_b'].pk}/remove/",
        "POST",
        multipart=True,
        live_expect=302,
        leaks=lambda w, _a: not OptOut.objects.filter(reason="乙街道退订").exists(),
    ),
    Case(
        "notify/sms/stats/",
        lambda w: "/notify/sms/stats/",
        expect=200,
        absent=lambda w: [w.tree.streets[1].name],
    ),
    Case(
        "notify/sms/log/",
        lambda w: "/notify/sms/log/",
        expect=200,
        absent=lambda w: ["乙街道案件短信", "乙街道群发内容"],
    ),
    Case("notify/sms/log/<int:pk>/", lambda w: f"/notify/sms/log/{w.objects['sms_row_b'].pk}/"),
]

UNSCOPED = {
    "notify/sms/dlr/<int:message_id>/": "the SMS gateway's delivery reports, authenticated by a "
    "token signed for each message (test_kannel.py)",
    "notify/sms/inbound/": "the SMS gateway's inbound texts, authenticated by its own token "
    "(test_kannel.py)",
}
