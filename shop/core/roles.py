"""The staff groups and the permissions each one needs (and nothing more).

Groups are kept in step with this table after every migrate, in every environment.
"""

from django.contrib.auth.models import Group, Permission

STUDENTS = "Students"
TEACHERS = "Teachers"

GROUP_PERMISSIONS: dict[str, list[str]] = {
    # Students process orders and run tours in the team workspace.
    STUDENTS: [
        "order.view_order",
        "team.process_order",
    ],
    # Teachers review sales and the students' work and assess it; they change no order.
    # (A student sees their own portfolio without any extra permission.)
    TEACHERS: [
        "order.view_order",
        "catalogue.view_product",
        "teaching.view_reports",
        "teaching.view_portfolios",
        "teaching.assess_students",
    ],
}


def roles_ensure_groups() -> None:
    for name, perm_names in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm_name in perm_names:
            app_label, codename = perm_name.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
