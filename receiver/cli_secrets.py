"""``lineagelens secrets rotate``: re-encrypt every stored secret under a new key.

With a key file (``LINEAGELENS_KEY_FILE``, the default) the command makes the new key itself: it writes it to
``<file>.next``, re-encrypts in one transaction, then renames ``<file>.next`` over the file. With
``LINEAGELENS_SECRET_KEY`` the operator has already set the new key and listed the old one in
``LINEAGELENS_PREVIOUS_SECRET_KEYS``; the command re-encrypts under the new one. Either way sessions are
signed with a key derived from the master key, so everyone signs in again after receivers restart.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from lineagelens.receiver.alerts.channels import ChannelService
    from lineagelens.receiver.sources.secrets import SecretBox
    from lineagelens.receiver.sources.service import SourceService

log = logging.getLogger(__name__)


@click.group("secrets")
def secrets_group() -> None:
    """Stored source secrets (encrypted at rest)."""


@secrets_group.command("rotate")
def rotate() -> None:
    """Re-encrypt every stored secret under a new master key (see docs/security.md)."""
    from lineagelens.receiver import create_app, keyring, services
    from lineagelens.receiver.sources.secrets import SecretBox

    s = services.get(create_app({"WORKER_ENABLED": False}))
    try:
        if s.settings["SECRET_KEY"]:
            box = SecretBox(s.keyring.derive_all("secrets"))
            count = _reseal(s.sources, box, s.alerts.channels)
            click.echo(f"{count} secrets re-encrypted under LINEAGELENS_SECRET_KEY. Remove "
                       "LINEAGELENS_PREVIOUS_SECRET_KEYS from every receiver's settings and restart them; "
                       "everyone signs in again.")
            return
        key_file = s.settings["KEY_FILE"]
        pending = keyring.pending_path(key_file)
        # the new key is in <file>.next from here on: a crash anywhere below leaves every secret readable
        rotated = keyring.begin_file_rotation(key_file, also=s.keyring.previous)
        count = _reseal(s.sources, SecretBox(rotated.derive_all("secrets")), s.alerts.channels)
        keyring.finish_file_rotation(key_file)
        click.echo(f"{count} secrets re-encrypted under a new key; {key_file} replaced ({pending} renamed over "
                   "it, mode 0600). Restart every receiver; everyone signs in again.")
    finally:
        s.close()


def _reseal(sources: SourceService, box: SecretBox, channels: ChannelService | None = None) -> int:
    """Re-encrypt sources' and alert channels' secrets; exit 1, having changed nothing, if a secret does not
    open (the channels' are checked first, so a failure never leaves half of them rotated)."""
    from lineagelens.receiver.sources.secrets import SecretsUnreadable

    try:
        if channels is not None:
            channels.reseal_secrets(box, check_only=True)
        count = sources.reseal_secrets(box)
        return count + (channels.reseal_secrets(box) if channels is not None else 0)
    except SecretsUnreadable as exc:
        click.echo(f"nothing changed: {exc}. List the key they were written with in "
                   "LINEAGELENS_PREVIOUS_SECRET_KEYS and run this again.", err=True)
        sys.exit(1)
