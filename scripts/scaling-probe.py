#!/usr/bin/env python3
"""Looks for work that grows faster than its input: generates the files of each shape (many
resources, settings, identities, outputs, files; long strings, links, chains), at size n and 4n, and
times `idlint check` on each in the human format (the default, and the costliest report).

    scripts/scaling-probe.py IDLINT [N] [SHAPE...]
        N defaults to 5000. Prints each shape's times and their ratio: about 4 is linear; far
        above it is a loop inside a loop. A run over 60 s is cut and reported as 60 s; an exit
        other than 0 or 1 (a panic) is printed.

The corpus has none of these shapes at these sizes, which is why they were slow unnoticed
(stop 18: a minified template's human report, model lookups per identity, long links).
"""
import json
import os
import subprocess
import sys
import tempfile
import time

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def template(resources=(), variables=None, parameters=None, outputs=None, ascii=True):
    """An ARM template on one line, as a minifier writes it; `ascii=False` keeps characters
    outside ASCII as they are instead of escaping them."""
    body = {"$schema": SCHEMA}
    for key, value in [("parameters", parameters), ("variables", variables), ("outputs", outputs)]:
        if value:
            body[key] = value
    body["resources"] = list(resources)
    return json.dumps(body, ensure_ascii=ascii)


def web_app(settings, name="app"):
    return {
        "type": "Microsoft.Web/sites",
        "apiVersion": "2022-03-01",
        "name": name,
        "properties": {"siteConfig": {"appSettings": settings}},
    }


def storage(name, **extra):
    return {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": name, **extra}


def identities_and_apps(n):
    identities = [
        {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31", "name": f"id{i}"}
        for i in range(n)
    ]
    apps = [
        {
            "type": "Microsoft.Web/sites",
            "apiVersion": "2022-03-01",
            "name": f"app{i}",
            "identity": {
                "type": "UserAssigned",
                "userAssignedIdentities": {
                    f"[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id{i}')]": {}
                },
            },
        }
        for i in range(n)
    ]
    return template(identities + apps)


def owner_assignments(n):
    owner = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
    grants = [
        {
            "type": "Microsoft.Authorization/roleAssignments",
            "apiVersion": "2022-04-01",
            "name": f"[guid('{i}')]",
            "properties": {
                "roleDefinitionId": f"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{owner}')]",
                "principalId": f"[reference('app{i % 10}', '2022-03-01', 'full').identity.principalId]",
            },
        }
        for i in range(n)
    ]
    apps = [
        {"type": "Microsoft.Web/sites", "apiVersion": "2022-03-01", "name": f"app{i}", "identity": {"type": "SystemAssigned"}}
        for i in range(10)
    ]
    return template(grants + apps)


def variable_chain(n):
    variables = {"v0": "x", **{f"v{i}": f"[concat(variables('v{i - 1}'), 'a')]" for i in range(1, n)}}
    return template([web_app([{"name": "X", "value": f"[variables('v{n - 1}')]"}])], variables=variables)


def web_app_tf(settings):
    return 'resource "azurerm_linux_web_app" "a" {\n  app_settings = { %s }\n}\n' % settings


SHAPES = {
    "ARM long secret setting": lambda n: ("t.json", template([web_app([{"name": "DB_PASSWORD", "value": "Aq9" * (n * 3)}])])),
    "ARM connection string keys": lambda n: ("t.json", template([web_app([{"name": "CONN", "value": "k=v;" * n + "Password=hunter2x"}])])),
    "ARM Redis keys": lambda n: ("t.json", template([web_app([{"name": "REDIS", "value": "h:1," + "k=v," * n + "password=abcdefgh1"}])])),
    "ARM concat arguments": lambda n: ("t.json", template([web_app([{"name": "X", "value": "[concat(%s)]" % ",".join(["'a'"] * n)}])])),
    "ARM variable chain": lambda n: ("t.json", variable_chain(n)),
    "ARM resources": lambda n: ("t.json", template(storage(f"s{i}", dependsOn=[f"s{i - 1}"] if i else []) for i in range(n))),
    "ARM resources, not ASCII": lambda n: ("t.json", template((storage(f"s{i}", tags={"owner": "Zoë ☕"}) for i in range(n)), ascii=False)),
    "ARM settings": lambda n: ("t.json", template([web_app([{"name": f"S{i}_PASSWORD", "value": f"value{i}xyzq"} for i in range(n)])])),
    "ARM identities": lambda n: ("t.json", identities_and_apps(n)),
    "ARM role assignments": lambda n: ("t.json", owner_assignments(n)),
    "ARM secure outputs": lambda n: ("t.json", template(parameters={"p": {"type": "securestring"}}, outputs={f"o{i}": {"type": "string", "value": "[parameters('p')]"} for i in range(n)})),
    "ARM long link": lambda n: ("t.json", template([{"type": "Microsoft.Resources/deployments", "name": "d", "properties": {"templateLink": {"uri": "https://e.com/" + "x.json/" * n}}}])),
    "ARM long key name": lambda n: ("t.json", template([web_app([{"name": "password_" * n, "value": "hunter2hunter2"}])])),
    "TF long string": lambda n: ("main.tf", web_app_tf('DB_PASSWORD = "%s"' % ("Aq9" * (n * 3)))),
    # Values that repeat a short piece: a secret's automaton, and searches that start again at
    # each match of a placeholder word or a credential's marker, once took time in the square.
    "TF secret that repeats, in a name": lambda n: ("main.tf", 'variable "admin_password" {\n  default = "%s"\n}\n' % ("xFAKE" * n) + 'resource "azurerm_linux_web_app" "app" {\n  name = "app-${var.admin_password}"\n}\n'),
    "ARM secret that repeats, in a name": lambda n: ("t.json", template([web_app([], name="[concat('app-', parameters('adminPassword'))]")], parameters={"adminPassword": {"type": "securestring", "defaultValue": "yDUMMY" * n}})),
    "ARM setting of repeated markers": lambda n: ("t.json", template([web_app([{"name": "CONN", "value": "AccountKey=?sig=https://u:p@" * n}])])),
    "TF setting of repeated markers": lambda n: ("main.tf", web_app_tf('CONN = "%s"' % ("Password=;SharedAccessKey=x@" * n))),
    "TF secrets that end in each other": lambda n: ("main.tf", web_app_tf("".join(f'S{i}_PASSWORD = "{"a" * (8 + i)}"\n' for i in range(n // 100)) + 'LONG_PASSWORD = "%s"' % ("a" * (n * 20)))),
    "TF locals chain": lambda n: ("main.tf", "locals {\n  a0 = \"x\"\n" + "".join(f'  a{i} = "${{local.a{i - 1}}}a"\n' for i in range(1, n)) + "}\n" + web_app_tf(f"X = local.a{n - 1}")),
    "TF resources": lambda n: ("main.tf", "".join(f'resource "azurerm_storage_account" "s{i}" {{\n  name = "s{i}"\n}}\n' for i in range(n))),
    "TF interpolations": lambda n: ("main.tf", 'variable "v" {}\n' + web_app_tf('X = "%s"' % ("${var.v}" * n))),
    "TF secret variables": lambda n: ("main.tf", "".join(f'variable "password{i}" {{\n  default = "hunter2hunter2{i}"\n}}\n' for i in range(n))),
    "TF suppressed resources": lambda n: ("main.tf", "".join(f'# idlint:ignore AZ106 -- test\nresource "azurerm_storage_account" "s{i}" {{\n  name = "s{i}"\n}}\n' for i in range(n))),
    "TF module calls": lambda n: [
        ("main.tf", "".join(f'module "m{i}" {{\n  source = "./m"\n}}\n' for i in range(n))),
        ("m/main.tf", 'resource "azurerm_storage_account" "s" {\n  name = "s"\n}\n'),
    ],
    "ARM template files": lambda n: [(f"t{i}.json", template([storage(f"s{i}")])) for i in range(n)],
    # As a pre-commit hook runs it: every file named on the command line.
    "ARM template files, each named": lambda n: [(f"t{i}.json", template([storage(f"s{i}")])) for i in range(n)],
    "TF module folders, each named": lambda n: [(f"m{i}/main.tf", f'resource "azurerm_storage_account" "s" {{\n  name = "s{i}"\n}}\n') for i in range(n)],
    "TF module folders with examples, each named": lambda n: [
        f
        for i in range(n // 2)
        for f in [
            (f"m{i}/main.tf", f'variable "p" {{}}\nresource "azurerm_storage_account" "s" {{\n  name = "s{i}"\n}}\n'),
            (f"m{i}/examples/basic/main.tf", 'module "m" {\n  source = "../.."\n  p      = "x"\n}\n'),
        ]
    ],
    "TF files of one module, each named": lambda n: [(f"f{i}.tf", f'resource "azurerm_storage_account" "s{i}" {{\n  name = "s{i}"\n}}\n') for i in range(n)],
    "TF module folders": lambda n: [(f"m{i}/main.tf", f'resource "azurerm_storage_account" "s" {{\n  name = "s{i}"\n}}\n') for i in range(n)],
    # n / 25 templates, each linking the next: every one is checked as a root too, through up to
    # 256 of the next (the limit of linked deployments one template follows).
    "ARM link chain (n/25 files)": lambda n: [(f"t{i}.json", linked_next(i)) for i in range(n // 25)],
}


def linked_next(i):
    deployment = {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": "next",
        "properties": {"mode": "Incremental", "templateLink": {"relativePath": f"t{i + 1}.json"}},
    }
    return template([deployment, storage(f"s{i}")])


def run(idlint, shape, n):
    """Seconds for one check of the shape at size n, and the size of its files in bytes."""
    with tempfile.TemporaryDirectory() as temp:
        # Three folders down: a named template's callers are looked for in the three folders
        # above it, which would otherwise be the temporary directory's own and hold anything.
        dir = os.path.join(temp, "a", "b", "c")
        files = SHAPES[shape](n)
        if isinstance(files, tuple):
            files = [files]
        for name, text in files:
            path = os.path.join(dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        size = sum(len(text.encode()) for _, text in files)
        started = time.perf_counter()
        try:
            named = [name for name, _ in files] if "each named" in shape else ["."]
            done = subprocess.run(
                [idlint, "check", *named, "--no-config", "--fail-on", "never", "-q"],
                cwd=dir, timeout=60, capture_output=True,
            )
        except subprocess.TimeoutExpired:
            return 60.0, size
        if done.returncode not in (0, 1):
            print(f"   {shape} at {n}: exit {done.returncode}: {done.stderr[:300]!r}")
        return time.perf_counter() - started, size


def main():
    idlint = os.path.realpath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    for shape in sys.argv[3:] or SHAPES:
        (t1, b1), (t4, b4) = run(idlint, shape, n), run(idlint, shape, 4 * n)
        print(
            f"{shape:28s} {t1 * 1000:8.1f} ms ({b1 / 1e6:4.1f} MB)  4x: {t4 * 1000:8.1f} ms "
            f"({b4 / 1e6:4.1f} MB)  ratio {t4 / max(t1, 1e-3):4.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
