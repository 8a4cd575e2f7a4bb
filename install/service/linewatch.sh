#!/bin/sh
# `linewatch` of an installed release: install/install-service.sh renders this into <release>/bin/linewatch,
# and /usr/local/bin/linewatch and the systemd unit reach it through the `current` symlink. It runs the agent
# of the release it sits in, on the system's .NET runtime, with the system configuration by default.
release="$(dirname "$(dirname "$(readlink -f "$0")")")"
export DOTNET_ROOT="${DOTNET_ROOT:-@DOTNET_ROOT@}"
export LINEWATCH_CONFIG="${LINEWATCH_CONFIG:-@CONFIG@}"
exec "$release/app/linewatch" "$@"
