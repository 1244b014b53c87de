#!/usr/bin/env python3
"""Write matrices/*.toml, the embedded vendor matrices, from the checked vendor lists
(tests/fixtures/vendors/vendor-permissions.tsv, a copy of ../shared/reference/vendors/): names,
types, categories, purposes and the optional flag copied as the vendors state them; descriptions
in our own words. Run from the repository root: python3 scripts/vendor-matrices.py.
tests/cli/vendors.rs holds the written files to the TSV."""
import csv, os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TSV = os.path.join(ROOT, "tests/fixtures/vendors/vendor-permissions.tsv")

VENDORS = {
    "veeam-vbr13": dict(
        file="veeam-backup-for-microsoft-entra-id-vbr13.md", vendor="Veeam",
        product="Veeam Backup for Microsoft Entra ID (Veeam Backup & Replication 13)",
        version="13.0.1.2067",
        source="https://helpcenter.veeam.com/docs/vbr/userguide/entra_id_permissions.html",
        document_date="2026-05-12",
        words="Veeam lists it among the {what}, {how}.",
        extra_comment="Also listed, not audited (not Microsoft Graph; the page names no API): user_impersonation (Delegated), with the restore permissions.",
        roles=[
            ("restore", "The restore account holds all of these.", [
                ("Application Administrator", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"),
                ("Conditional Access Administrator", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"),
                ("Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de"),
                ("Groups Administrator", "fdd7a751-b60b-444a-984c-02652fe8fa1c"),
                ("Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814"),
                ("Privileged Authentication Administrator", "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"),
                ("User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1"),
                ("Intune Administrator", "3a2c62db-5318-420d-8d74-23affee5d9d5")]),
            ("restore", "Or Global Administrator with Conditional Access Administrator (the pair Veeam recommends).", [
                ("Global Administrator", "62e90394-69f5-4237-9190-012177145e10"),
                ("Conditional Access Administrator", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9")]),
            ("restore", "Or Global Administrator with Security Administrator.", [
                ("Global Administrator", "62e90394-69f5-4237-9190-012177145e10"),
                ("Security Administrator", "194ae4cb-b126-40b2-bd5b-6091b380977d")]),
        ],
    ),
    "veeam-data-cloud": dict(
        file="veeam-data-cloud-for-microsoft-entra-id.md", vendor="Veeam",
        product="Veeam Data Cloud for Microsoft Entra ID",
        source="https://helpcenter.veeam.com/docs/vdc/userguide/entra_id_permissions.html",
        document_date="2026-03-19",
        words="Veeam Data Cloud grants it to its own service principal{what}.",
        extra_comment="Also listed, not audited (not Microsoft Graph): user_impersonation (Delegated) of Azure Resource Manager.",
        app_roles=[
            ("Privileged Authentication Administrator", "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Veeam Data Cloud assigns it to restore objects that hold privileged permissions."),
            ("User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1", "Veeam Data Cloud assigns it to restore objects that hold privileged permissions."),
        ],
        notes={("User.Read", "Application"): "Veeam Data Cloud lists User.Read as an Application permission; Microsoft Graph offers User.Read as Delegated only, so no tenant can grant it as listed."},
    ),
    "cohesity-dataprotect": dict(
        file="cohesity-dataprotect-entra-id.md", vendor="Cohesity",
        product="Cohesity DataProtect as a Service, Entra ID source",
        source="https://docs.cohesity.com/baas/data-protect/entra-id/entra-id-requirements.htm",
        words="Cohesity DataProtect requires it of its Entra ID app; the page maps it to no object type.",
    ),
    "netwrix-identity-recovery": dict(
        file="netwrix-identity-recovery-entra-id.md", vendor="Netwrix",
        product="Netwrix Identity Recovery", version="3.1",
        source="https://github.com/netwrix/docs/blob/0bd9f9b39038b2196f44d25d09eeb8b9ee50c5b7/docs/identityrecovery/3.1/admin/configuration/entraid.md",
        words="Netwrix Identity Recovery requires it of its app, which backs up, rolls back and recovers; the page maps it to no object.",
    ),
    "microsoft-entra-backup": dict(
        file="microsoft-entra-backup-and-recovery.md", vendor="Microsoft",
        product="Microsoft Entra Backup and Recovery (the operator's permissions and roles)",
        source="https://learn.microsoft.com/en-us/entra/backup/overview",
        document_date="2026-03-02",
        perm_words={
            "EntraBackup.Read.All": "Lets an operator review backups: snapshots, difference reports and recovery results.",
            "EntraBackup.ReadWrite.Preview": "Lets an operator create difference reports (recovery preview jobs) before a recovery.",
            "EntraBackup.ReadWrite.Recovery": "Lets an operator start a recovery from a backup.",
        },
        roles=[
            ("restore", "The operator who reviews and recovers holds Entra Backup Administrator.", [
                ("Entra Backup Administrator", "b6a27b2b-f905-4b2e-81b5-0d90e0ef1fdb")]),
            ("restore", "Or Global Administrator, which includes it.", [
                ("Global Administrator", "62e90394-69f5-4237-9190-012177145e10")]),
        ],
    ),
    "druva": dict(
        file="druva-entra-id.md", vendor="Druva",
        product="Druva Microsoft Entra ID protection",
        source="https://help.druva.com/en/articles/9292060-permissions-required-for-microsoft-entra-id",
        words="Druva lists it for these objects of its page: {what}.",
        partial="the page's Administrative Unit and Conditional Access policy rows name no readable permission, and one name is cut off",
        unreadable=[
            "Administrative Unit: no permission name is readable",
            "Conditional Access policy: no permission name is readable",
            "Groups: GroupMember.ReadWrite.Al, cut off on the page (probably GroupMember.ReadWrite.All)",
        ],
    ),
}

def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

def purposes_of(text):
    t = text.strip().lower()
    if t.startswith("backup"):
        return ["backup"]
    if t.startswith("restore"):
        return ["restore"]
    return ["backup", "restore"]   # "both", or unstated: the one app does both

def object_of(name, category):
    c = category.strip()
    for suffix in (" (backup)", " (restore)"):
        if c.endswith(suffix):
            c = c[: -len(suffix)]
    if c.startswith("not grouped") or c.startswith("not mapped"):
        return "(whole app)"
    return c

def main():
    rows = [r for r in csv.reader(open(TSV), delimiter="\t") if r and not r[0].startswith("#")]
    header, rows = rows[0], rows[1:]
    for name, v in VENDORS.items():
        mine = [dict(zip(header, r)) for r in rows if r[0] == v["file"]]
        merged = {}
        order = []
        for r in mine:
            if r["api"] != "Microsoft Graph":
                continue
            if r["catalog_verdict"].startswith("NO (name unknown)"):
                continue  # unreadable: named in the header
            key = (r["permission"], r["type"])
            if key not in merged:
                merged[key] = dict(objects=[], purposes=[], optional=r["optional"].startswith("yes"), cats=[])
                order.append(key)
            m = merged[key]
            obj = object_of(r["permission"], r["object"])
            if obj not in m["objects"]:
                m["objects"].append(obj)
            for p in purposes_of(r["purpose"]):
                if p not in m["purposes"]:
                    m["purposes"].append(p)
            m["cats"].append(r["object"])
        out = []
        out.append(f"# entra-perms permission matrix: {v['product']} ({v['vendor']}).")
        out.append("#")
        out.append(f"# Source: {v['source']}")
        out.append("# Names, types, categories (as objects), purposes and optional flags are copied as the vendor")
        out.append("# states them; descriptions are our own words. Written by scripts/vendor-matrices.py from the")
        out.append("# checked list in tests/fixtures/vendors/vendor-permissions.tsv (read 2026-12-01); each row")
        out.append("# was checked against Microsoft's permission data.")
        if v.get("extra_comment"):
            out.append("# " + v["extra_comment"])
        out.append("")
        out.append(f'version = "2026.12"')
        out.append("")
        out.append("[matrix]")
        out.append(f"vendor = {q(v['vendor'])}")
        out.append(f"product = {q(v['product'])}")
        if v.get("version"):
            out.append(f"version = {q(v['version'])}")
        out.append(f"source = {q(v['source'])}")
        if v.get("document_date"):
            out.append(f"document-date = {q(v['document_date'])}")
        out.append('retrieved = "2026-12-01"')
        if v.get("partial"):
            out.append(f"partial = {q(v['partial'])}")
            out.append("unreadable = [")
            for u in v["unreadable"]:
                out.append(f"  {q(u)},")
            out.append("]")
        for (perm, ptype) in order:
            m = merged[(perm, ptype)]
            out.append("")
            out.append("[[permission]]")
            out.append(f"name = {q(perm)}")
            out.append(f"type = {q(ptype)}")
            out.append("objects = [" + ", ".join(q(o) for o in m["objects"]) + "]")
            out.append("purposes = [" + ", ".join(q(p) for p in m["purposes"]) + "]")
            if m["optional"]:
                out.append("optional = true")
            how = "as an application permission (no signed-in user)" if ptype == "Application" else "as a delegated permission acting through the restore account"
            if v.get("perm_words"):
                words = v["perm_words"][perm]
            else:
                cats = [object_of(perm, c) for c in m["cats"]]
                what = ", ".join(dict.fromkeys(c for c in cats if c != "(whole app)"))
                if name == "veeam-data-cloud":
                    what = f", for backing up its {what}" if what else ", for backup and restore"
                elif name == "veeam-vbr13":
                    verb = "to back up" if m["purposes"] == ["backup"] else "to restore"
                    what = ", ".join(dict.fromkeys(object_of(perm, c).lower() for c in m["cats"])) + " " + verb
                words = v["words"].format(what=what, how=how)
            out.append(f"description = {q(words)}")
            note = v.get("notes", {}).get((perm, ptype))
            if note:
                out.append(f"note = {q(note)}")
        for purpose, note, roles in v.get("roles", []):
            out.append("")
            out.append("[[role]]")
            out.append(f"purposes = [{q(purpose)}]")
            out.append("roles = [")
            for rn, rid in roles:
                out.append(f"  {{ name = {q(rn)}, id = {q(rid)} }},")
            out.append("]")
            out.append(f"note = {q(note)}")
        for rn, rid, note in v.get("app_roles", []):
            out.append("")
            out.append("[[app-role]]")
            out.append(f"name = {q(rn)}")
            out.append(f"id = {q(rid)}")
            out.append(f"note = {q(note)}")
        with open(os.path.join(ROOT, "matrices", name + ".toml"), "w") as f:
            f.write("\n".join(out) + "\n")

main()
