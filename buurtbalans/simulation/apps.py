from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimulationConfig(AppConfig):
    """Policy simulation (issue 15): for now the `simulate_policy` file-contract command over the engine in
    `buurtbalans.engine.simulation`; the screens (scenarios from the corporation's data, jobs, results side by side)
    come later. docs/simulation.md."""

    name = "buurtbalans.simulation"
    label = "simulation"
    verbose_name = _("Policy simulation")
