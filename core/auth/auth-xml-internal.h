/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What the aggregate-auth parser (auth-xml.c) and builder (auth-xml-build.c) share. */
#include <stdbool.h>

#include <libxml/tree.h>

#define XC(s) ((const xmlChar *)(s))

/* Frees a tree after wiping its text: replies hold passwords, success documents tokens. */
void auth_xml_wiped_doc_freep(xmlDoc **d);
/* A field name usable as an element name (and short enough for a form). */
bool auth_xml_is_ncname(const char *s);
