# Run as root on a store the server's account owns, admin commands act as that account, so the
# files they create (WAL, blobs) stay writable by the server.
import os
import pathlib
import shutil
import tempfile

import pytest

NOBODY = 65534


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
def test_root_acts_as_the_data_dir_owner(atrium):
    top = pathlib.Path(tempfile.mkdtemp(prefix="atrium-owner-"))
    try:
        top.chmod(0o755)  # the owner must be able to reach data_dir after the switch
        data = top / "data"
        data.mkdir()
        os.chown(data, NOBODY, NOBODY)
        atrium.config.write_text(f'[server]\ndata_dir = "{data}"\n')
        atrium.ok("domain", "add", "example.test")
        atrium.ok("user", "add", "demo@example.test", "--password", "pw")
        owners = {p.stat().st_uid for p in data.rglob("*")}
        assert owners == {NOBODY}, f"files not owned by the data_dir owner: {owners}"
        assert atrium.lines("domain", "list") == ["example.test"]
    finally:
        shutil.rmtree(top)
