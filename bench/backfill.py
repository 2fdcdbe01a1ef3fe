"""The one back-fill pipeline of the benchmarks (bench/backfill.yaml), filled in.

    from backfill import write_pipeline
    path = write_pipeline("work/fill.yaml", name="e2e-bench", accounts=20, base_url=url,
                          store="work/store.sqlite", range_from="-364d", range_to="yesterday")

The accounts are the sandbox's (`wxcube sandbox --accounts N`): appid
wx0000000000000001..., secret sandbox-secret-1... (docs/sandbox.md).
"""
import os
import string

TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "backfill.yaml")


def accounts_yaml(count, name="acct{k:02d}"):
    """The `accounts:` list of `count` sandbox accounts; `name` formats each account's name from k (1-based)."""
    return "\n".join(f"  - name: {name.format(k=k)}\n    appid: wx{k:016d}\n    secret: sandbox-secret-{k}"
                     for k in range(1, count + 1))


def outputs_yaml(outputs):
    """`outputs:`'s value: [] for none, else each output (a dict of key: YAML value) as a list item."""
    if not outputs:
        return "[]"
    items = []
    for output in outputs:
        lines = [f"{k}: {v}" for k, v in output.items()]
        items.append("  - " + "\n    ".join(lines))
    return "\n" + "\n".join(items)


def pipeline(name, accounts, base_url, store, range_from, range_to, outputs=(), endpoints=("getarticletotal",),
             concurrency=16, account_name="acct{k:02d}"):
    """The back-fill pipeline's text."""
    with open(TEMPLATE) as f:
        lines = f.read().split("\n")
    while lines and lines[0].startswith("#"):  # the template's own comment
        lines.pop(0)
    template = string.Template("\n".join(lines))
    return template.substitute(
        name=name, accounts=accounts_yaml(accounts, account_name), base_url=base_url, store=store,
        range_from=range_from, range_to=range_to, endpoints=", ".join(endpoints), concurrency=concurrency,
        outputs=outputs_yaml(outputs))


def write_pipeline(path, **kwargs):
    """Writes `pipeline(**kwargs)` to `path` and returns `path`."""
    with open(path, "w") as f:
        f.write(pipeline(**kwargs))
    return path
