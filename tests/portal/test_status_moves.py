"""No code but the move functions changes the status of a case or a fee case: referral_move and fee_case_move, and
the collection export's one update for its batch, which checks the same table. The source is read, not run, so a
new assignment anywhere (a view, a task, a sweep, the admin) fails here before it can bypass the tables."""

import ast
from pathlib import Path

from django.conf import settings

STATUS_ENUMS = {"ReferralStatus", "FeeCaseStatus"}
MODELS = {"Referral", "FeeCase"}
ALLOWED = {
    ("referrals/services.py", "referral_move"),
    ("fees/services.py", "fee_case_move"),
    ("fees/services.py", "fee_collection_export"),
}


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)
    }


def _names_a_case(node: ast.AST) -> bool:
    text = ast.unparse(node).lower()
    return "referral" in text or "fee_case" in text


class StatusWrites(ast.NodeVisitor):
    """Where a case's or fee case's status is written: `x.status = …` on something named for a case or with one
    of their statuses, `status=` given to a queryset's update or create on their models or with their statuses,
    and setattr(x, "status", …)."""

    def __init__(self, path: str):
        self.path, self.function, self.found = path, "<module>", []

    def visit_FunctionDef(self, node):
        outer, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def _found(self, node):
        self.found.append((self.path, self.function, node.lineno))

    def _assigned(self, targets, value, node):
        for target in targets:
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                if (
                    isinstance(element, ast.Attribute)
                    and element.attr == "status"
                    and (_names_a_case(element.value) or _names(value) & STATUS_ENUMS)
                ):
                    self._found(node)

    def visit_Assign(self, node):
        self._assigned(node.targets, node.value, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self._assigned([node.target], node.value, node)
        self.generic_visit(node)

    def visit_Call(self, node):
        status = next((k.value for k in node.keywords if k.arg == "status"), None)
        if status is not None and isinstance(node.func, ast.Attribute):
            queryset = node.func.attr in {"update", "create", "get_or_create", "update_or_create"}
            if queryset and (_names(status) & STATUS_ENUMS or _names(node.func.value) & MODELS):
                self._found(node)
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "status"
        ):
            self._found(node)
        self.generic_visit(node)


def _status_writes(root: Path) -> list[tuple[str, str, int]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] in {"tests", "var", "staticfiles"} or relative.parts[0].startswith("."):
            continue
        if "migrations" in relative.parts:
            continue
        visitor = StatusWrites(relative.as_posix())
        visitor.visit(ast.parse(path.read_text(), filename=str(path)))
        found += visitor.found
    return found


def test_only_the_move_functions_change_the_status_of_a_case_or_a_fee_case():
    writes = _status_writes(Path(settings.BASE_DIR))
    assert {(path, function) for path, function, _line in writes} <= ALLOWED, [
        write for write in writes if write[:2] not in ALLOWED
    ]
    assert {(path, function) for path, function, _line in writes} == ALLOWED  # the reader still finds them


def test_the_reader_finds_a_status_written_behind_the_tables_back(tmp_path):
    (tmp_path / "views.py").write_text(
        "def close(referral, fee_case, qs):\n"
        "    referral.status = 'closed'\n"
        "    fee_case.status, fee_case.paid_on = FeeCaseStatus.PAID, None\n"
        "    Referral.objects.filter(pk=1).update(status='closed')\n"
        "    qs.update(status=ReferralStatus.CLOSED)\n"
        "    setattr(referral, 'status', 'closed')\n"
        "    meeting.status = MeetingStatus.HELD\n"
    )
    assert [line for _path, _function, line in _status_writes(tmp_path)] == [2, 3, 4, 5, 6]
