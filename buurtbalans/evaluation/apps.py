from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """Did an intervention work? (issue 16, part A): the interventions register (entered, imported, recorded by the
    product), the evaluation page (difference-in-differences against matched complexes, engine.evaluation) and the
    `evaluate_intervention` file-contract command. docs/evaluation.md."""

    name = "buurtbalans.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation of interventions")
