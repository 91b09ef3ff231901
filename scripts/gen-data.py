#!/usr/bin/env python3
"""Regenerates data/*.tsv from ../shared/data (see its SOURCES.md for provenance).

The binary embeds these small tables with include_str!; only facts are copied:
role GUIDs and names, privileged flags, attribute paths, resource types and function names.
Run from the repository root: python3 scripts/gen-data.py ../shared/data
"""
import json
import sys
from pathlib import Path

src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
out = Path("data")

roles = json.load(open(src / "azure-builtin-roles.json"))
with open(out / "builtin-roles.tsv", "w") as f:
    f.write("# id\tname\tprivileged\tdata_plane\n")
    for r in sorted(roles, key=lambda r: r["name"].lower()):
        data_plane = bool(r["dataActions"])
        f.write(f"{r['id']}\t{r['name']}\t{int(r['privileged'])}\t{int(data_plane)}\n")

secrets = json.load(open(src / "azurerm-secret-attributes.json"))
with open(out / "azurerm-secret-attributes.tsv", "w") as f:
    f.write("# resource_type\tkind\tattribute\tdirection\n")
    rows = sorted({(s["resourceType"], s["kind"], s["attribute"], s["direction"]) for s in secrets if s["credential"]})
    for row in rows:
        f.write("\t".join(row) + "\n")

identity = json.load(open(src / "azurerm-identity-resources.json"))
with open(out / "azurerm-identity-resources.tsv", "w") as f:
    f.write("# resource_type\tidentity_types\n")
    for r in sorted(identity, key=lambda r: r["resourceType"]):
        f.write(f"{r['resourceType']}\t{'|'.join(t.replace(' ', '') for t in r['identityTypes'])}\n")

arm = json.load(open(src / "arm-identity-resource-types.json"))
with open(out / "arm-identity-resource-types.tsv", "w") as f:
    f.write("# resource_type\n")
    for r in sorted(arm["identityResourceTypes"], key=lambda r: r["type"].lower()):
        f.write(r["type"] + "\n")
with open(out / "arm-secret-list-functions.tsv", "w") as f:
    f.write("# function (lower case): list* functions that return secrets for at least one resource type\n")
    names = sorted({n["function"].lower() for n in arm["listFunctionNames"] if n["secretBearingResourceTypes"] > 0})
    for n in names:
        f.write(n + "\n")
with open(out / "arm-reference-secret-properties.tsv", "w") as f:
    f.write("# resource_type\tproperty path\n")
    for r in sorted(arm["referenceReadableSecretProperties"], key=lambda r: r["resourceType"].lower()):
        for p in r["readOnlySecretLikeProperties"]:
            f.write(f"{r['resourceType']}\t{p}\n")
