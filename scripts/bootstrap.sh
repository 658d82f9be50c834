#!/usr/bin/env bash
# Set up a checkout: system packages, .venv with pinned dependencies, compiled
# translations, var/. Idempotent, and quick when everything is already in place.
#
#   scripts/bootstrap.sh          what `make run` needs
#   scripts/bootstrap.sh --dev    plus test/lint tools, chromium and PostgreSQL
#
# PYTHON overrides the interpreter used to create .venv (must be 3.11).
set -euo pipefail
cd "$(dirname "$0")/.."

dev=false
for arg in "$@"; do
    case $arg in
    --dev) dev=true ;;
    -h | --help)
        sed -n '2,8s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *)
        echo "bootstrap: unknown argument: $arg" >&2
        exit 2
        ;;
    esac
done

say() { echo "bootstrap: $*" >&2; }

venv=.venv
stamp=$venv/.bootstrap-stamp

venv_ok() { [[ -x $venv/bin/python ]] && "$venv/bin/python" -c '' 2>/dev/null; }

find_python() {
    local py
    for py in ${PYTHON:-} python3.11 python3; do
        if command -v "$py" >/dev/null &&
            "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            printf '%s\n' "$py"
            return 0
        fi
    done
    return 1
}

# --- System packages (Debian) ----------------------------------------------------
# gettext: msgfmt for the translations. pango/harfbuzz/fonts: WeasyPrint (PDFs).
packages=(gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if $dev; then
    # chromium: browser tests (Playwright). postgresql: the second test run.
    packages+=(chromium postgresql)
fi

installed() {
    local py
    case $1 in
    # Check for what we use rather than the package name, so a PostgreSQL from
    # another source (e.g. PGDG) counts too.
    postgresql) scripts/pg-throwaway.sh --bindir >/dev/null 2>&1 ;;
    chromium) [[ -x ${CHROMIUM:-/usr/bin/chromium} ]] ;;
    # Debian strips ensurepip out of python3.11 into python3-venv.
    python3-venv) venv_ok || { py=$(find_python) && "$py" -c 'import ensurepip' 2>/dev/null; } ;;
    *) dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii' ;;
    esac
}

if command -v dpkg-query >/dev/null; then
    venv_ok || packages+=(python3-venv)
    missing=()
    for p in "${packages[@]}"; do
        installed "$p" || missing+=("$p")
    done
    if [[ ${#missing[@]} -gt 0 ]]; then
        if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
            say "installing ${missing[*]}"
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq
            apt-get install -y --no-install-recommends "${missing[@]}"
        else
            # Carry on: only the parts that need these will fail.
            say "*** missing system packages, please run:" \
                "sudo apt-get install --no-install-recommends ${missing[*]} ***"
        fi
    fi
else
    say "not a Debian system; make sure these (or equivalents) are installed: ${packages[*]}"
fi

# --- Virtualenv and Python packages ----------------------------------------------
if ! venv_ok; then
    py=$(find_python) || {
        say "Python 3.11 not found (tried ${PYTHON:-} python3.11 python3); set PYTHON=/path/to/python3.11"
        exit 1
    }
    say "creating $venv with $py"
    # --clear: a leftover .venv whose interpreter is gone is unusable anyway.
    "$py" -m venv --clear "$venv"
fi

# The stamp records which set was installed ("dev" includes "runtime"); pip only
# runs again when the pins or pyproject.toml changed since.
reqs=requirements.txt
mode=runtime
if $dev; then
    reqs=requirements-dev.txt
    mode=dev
fi
need_pip=false
if [[ ! -f $stamp ]]; then
    need_pip=true
elif $dev && [[ $(<"$stamp") != dev ]]; then
    need_pip=true
else
    for f in requirements.txt requirements-dev.txt pyproject.toml; do
        [[ $f -nt $stamp ]] && need_pip=true
    done
fi
if $need_pip; then
    # A dev venv stays dev: don't downgrade the stamp when running without --dev.
    [[ $mode == runtime && -f $stamp && $(<"$stamp") == dev ]] && {
        reqs=requirements-dev.txt
        mode=dev
    }
    say "installing $reqs"
    "$venv/bin/python" -m pip install -q -r "$reqs"
    # --no-deps: every dependency is pinned in $reqs; this only links the package.
    "$venv/bin/python" -m pip install -q --no-deps -e .
    echo "$mode" >"$stamp"
fi

# --- Translations ------------------------------------------------------------------
# msgfmt directly (same flags as Django's compilemessages) rather than manage.py:
# it needs no settings/SECRET_KEY and only looks at the project's own locale dirs.
# .mo files are not committed; rebuild any that are missing or older than the .po.
if command -v msgfmt >/dev/null; then
    while IFS= read -r -d '' po; do
        mo=${po%.po}.mo
        if [[ ! -f $mo || $po -nt $mo ]]; then
            say "compiling $po"
            msgfmt --check-format -o "$mo" "$po"
        fi
    done < <(find locale skinchart -path '*/LC_MESSAGES/*.po' -print0 2>/dev/null)
else
    say "*** msgfmt not found (install gettext): translations not compiled ***"
fi

mkdir -p var
