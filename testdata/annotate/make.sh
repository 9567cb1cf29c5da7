#!/bin/sh
# Builds colwalk (the README's emu annotate example) and records its trace.
# The program uses no C library, so its trace holds its own instructions
# only; -fdebug-prefix-map keeps the build folder out of its line table.
set -e
cd "$(dirname "$0")"
gcc -g -O1 -static -nostdlib -fno-pie -no-pie -fno-stack-protector -fcf-protection=none \
	-fdebug-prefix-map="$(pwd)"=. -o colwalk colwalk.c
emu record -o colwalk.vmt -- ./colwalk
