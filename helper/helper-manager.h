/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * org.sslvpn.Helper1.Manager at /org/sslvpn/Helper1: Connect (validate the options, then
 * authorise the caller, then start a connection) and the Connections and Version properties.
 */
#include "helper-bus.h"

struct helper;

extern const struct helper_bus_interface helper_manager_interface;

/* Emits PropertiesChanged(Connections) when the list changed. */
void helper_manager_flush(struct helper *h);
