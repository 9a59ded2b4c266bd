#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Embeds the interfaces of org.sslvpn.Helper1.xml in a C header, verbatim (documentation
included), so that sslvpn-helper serves exactly the interface file as its introspection data
without parsing XML at run time.

usage: embed-interfaces.py INPUT.xml OUTPUT.h
"""
import re
import sys


def c_string(text):
    out = []
    for line in text.splitlines(keepends=True):
        esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        out.append('\t"%s"' % esc)
    return "\n".join(out) if out else '\t""'


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        xml = f.read()
    node = re.search(r"<node(\s[^>]*)?>", xml)
    if not node:
        sys.exit("%s: no <node> element" % src)
    ifaces = re.findall(r'^([ \t]*<interface name="([A-Za-z0-9_.]+)">.*?</interface>[ \t]*\n)',
                        xml, re.S | re.M)
    if not ifaces:
        sys.exit("%s: no <interface> elements" % src)
    with open(dst, "w", encoding="utf-8") as f:
        f.write("/* Generated from %s by embed-interfaces.py: do not edit. */\n" %
                src.rsplit("/", 1)[-1])
        f.write("#pragma once\n\n")
        f.write("static const char helper_xml_node_attributes[] =\n%s;\n\n" %
                c_string(node.group(1) or ""))
        f.write("static const struct {\n\tconst char *name;\n\tconst char *xml;\n}"
                " helper_xml_interfaces[] = {\n")
        for text, name in ifaces:
            f.write('{"%s",\n%s},\n' % (name, c_string(text)))
        f.write("};\n")


if __name__ == "__main__":
    main()
