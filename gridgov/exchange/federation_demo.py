"""The federation demo: a city platform and two district platforms on this machine, each with
its own database, federated; one case escalated from a district to a city department and its
steps back, a warning down, and the city's page over both districts.

    python -m gridgov.exchange.federation_demo [--folder var/federation-demo] [--keep]

It prints the three addresses and the administrator's password, and (with --keep, the default
when run from a terminal) keeps the platforms running until Ctrl-C. Each platform's folder
holds its database, media and log; a second run starts afresh.
"""

import argparse
import pathlib
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from gridgov.tests.instances import ROOT, Instance, Instances

CITY, D1, D2 = "4101", "410105", "410102"


def federate(made: Instances) -> tuple[Instance, Instance, Instance, dict]:
    """A city platform and two district platforms, not started yet: the city registers both
    districts as members, each district is given its parent's address, key and secret and sets
    up its own side (side by side, one per core). Also the live tests' starting point. The last
    item is the city's answer: the members' keys and secrets, and the administrator's password."""
    city = made.create("city")
    d1, d2 = made.create("jinshui"), made.create("zhongyuan")
    answer = city.json(
        "federation",
        "init-city",
        "--member",
        f"{D1}={d1.url}",
        "--member",
        f"{D2}={d2.url}",
        "--sm3",
        D2,  # one district signs with HMAC-SM3, the other with HMAC-SHA256
    )
    for district, code in ((d1, D1), (d2, D2)):
        member = answer["members"][code]
        district.env.update(
            {
                "GRIDGOV_FEDERATION_PARENT_URL": city.url,
                "GRIDGOV_FEDERATION_AREA": code,
                "GRIDGOV_FEDERATION_PARENT_AREA": CITY,
                "GRIDGOV_FEDERATION_KEY": member["key"],
                "GRIDGOV_FEDERATION_SECRET": member["secret"],
                "GRIDGOV_FEDERATION_SIGNING": member["signing"],
            }
        )
    with ThreadPoolExecutor(2) as pool:
        list(
            pool.map(
                lambda pair: pair[0].manage("federation", "init-district", "--area", pair[1]),
                [(d1, D1), (d2, D2)],
            )
        )
    return city, d1, d2, answer


def run(folder: pathlib.Path, keep: bool) -> int:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    say = print
    # Loopback only, for a look around: no second factor for the demo administrator.
    demo_env = {"GRIDGOV_LOG_LEVEL": "ERROR", "GRIDGOV_REQUIRE_2FA": "0"}
    with Instances(folder, base_env=demo_env) as made:
        say("Migrating a database (once, copied for each platform)…")
        city, d1, d2, answer = federate(made)
        made.start_all(city, d1, d2)
        say("Reporting cases in both districts…")
        for text in ("路灯不亮", "垃圾满溢", "占道经营"):
            d1.json("federation", "report", "--description", text)
        for text in ("井盖缺失", "违章停车"):
            d2.json("federation", "report", "--description", text)
        escalated = d1.json(
            "federation",
            "report",
            "--description",
            "主干道下水管破裂，需市水务局处置",
            "--escalate",
            "市水务局",
            "--sync",
        )
        d2.json("federation", "sync")
        state = city.json("federation", "status")
        city_case = next(
            k for k, v in state["links"].items() if v["remote"] == str(escalated["case"])
        )
        say(f"District case {escalated['case']} is city case {city_case}; the city accepts it…")
        city.json("federation", "step", "--case", city_case, "--action", "accept")
        city.json(
            "federation", "warn", "--headline", "暴雨橙色预警", "--colour", "orange", "--sync"
        )
        for district in (d1, d2):
            district.json("federation", "sync")
        down = d1.json("federation", "status")
        say("Steps back on the district case: " + ", ".join(s["note"] for s in down["steps"]))
        cockpit = city.json("federation", "status")["cockpit"] or {"members": []}
        say(
            "City cockpit, this month: "
            + "; ".join(
                f"{m['name']} {m['reports']} reports, {m['open']} open, {m['escalated']} escalated"
                for m in cockpit["members"]
            )
        )
        say("")
        say(f"City      {city.url}/exchange/federation/   (cockpit {city.url}/cockpit/)")
        say(f"金水区    {d1.url}/exchange/federation/   (case {d1.url}/cases/{escalated['case']}/)")
        say(f"中原区    {d2.url}/exchange/federation/")
        say(f"Sign in as admin / {answer['password']} on each. Folders: {folder}")
        if not keep:
            return 0
        say("Ctrl-C stops the three platforms.")
        try:
            while all(i.running for i in (city, d1, d2)):
                for district in (d1, d2):
                    district.manage("federation", "sync", check=False)
                city.manage("federation", "sync", check=False)
                time.sleep(5)
        except KeyboardInterrupt:
            pass
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", default=str(ROOT / "var" / "federation-demo"))
    parser.add_argument("--keep", action=argparse.BooleanOptionalAction, default=sys.stdin.isatty())
    args = parser.parse_args(argv)
    return run(pathlib.Path(args.folder), args.keep)


if __name__ == "__main__":
    sys.exit(main())
