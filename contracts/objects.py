"""Account-level objects of one run (projects, webhooks, events, profile jobs), made and removed safely.

Today's API reaches beyond memories: projects, their members and settings, webhooks, and
the project's profile settings. Against a real account the suite must never touch any of
those that the run did not make, so generated requests are pointed at objects made here:

- projects are created in the key's organization with a name under the run's prefix, and
  deleted at the end (with any other project whose name carries the prefix);
- webhooks are only created on the run's projects and only ever point at the suite's own
  receiver (`contracts.receiver`); they are deleted at the end;
- project members added by the run have addresses at `example.com` (reserved: nothing is
  ever delivered there);
- profile settings of the key's project are read before the run changes them and written
  back after every change.
"""

from __future__ import annotations

import secrets
import threading
from typing import TYPE_CHECKING, Any

import requests

from contracts.receiver import WebhookReceiver, is_loopback

if TYPE_CHECKING:
    from contracts.plugin import RunNamespace

__all__ = ["RunObjects", "MEMBER_DOMAIN"]

MEMBER_DOMAIN = "example.com"
PROJECTS = "/api/v1/orgs/organizations/{org}/projects/"


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class RunObjects:
    """The run's projects, webhooks, event, profile job and receiver; `cleanup` removes what was made."""

    def __init__(self, ns: RunNamespace, *, receiver_url: str | None = None, receiver_port: int | None = None):
        self.ns = ns
        self._lock = threading.RLock()
        self._receiver_args = (receiver_url, receiver_port)
        self._receiver: WebhookReceiver | None = None
        self._project: str | None = None
        self._webhook: str | None = None
        self._event: str | None = None
        self._job: str | None = None
        self._settings: dict[str, Any] | None = None
        self.projects: list[str] = []  # ids of projects the run made and has not deleted
        self.webhooks: list[str] = []
        self._touched = False  # whether the run may have made a project (then cleanup looks for strays)

    # ---- plumbing
    @property
    def base(self) -> str:
        return self.ns.target.base_url

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response | None:
        kwargs.setdefault("timeout", 60)
        try:
            return self.ns.http.request(method, f"{self.base}{path}", **kwargs)
        except requests.RequestException:
            return None

    def org(self) -> str | None:
        return self.ns.home()[0]

    # ---- receiver
    def receiver(self) -> WebhookReceiver:
        """The run's webhook receiver (started on first use)."""
        with self._lock:
            if self._receiver is None:
                self._receiver = WebhookReceiver(*self._receiver_args).start()
            return self._receiver

    def receiver_reachable(self) -> bool:
        """Whether the target can post to the receiver: it runs on this machine, or an address was given."""
        return is_loopback(self.base) or self._receiver_args[0] is not None

    def hook_url(self, tag: str = "shape") -> str:
        return f"{self.receiver().url}/{self.ns.prefix}{tag}"

    # ---- projects
    def touch_projects(self) -> None:
        """A request that may create a project is about to go (cleanup then lists the organization's)."""
        self._touched = True

    def create_project(self, name: str | None = None) -> str | None:
        """A new project of the run in the key's organization; its id, or None if the target made none."""
        org = self.org()
        if org is None:
            return None
        self.touch_projects()
        body = {"name": name or f"{self.ns.prefix}project-{secrets.token_hex(3)}", "description": "mem0 contracts"}
        response = self.request("POST", PROJECTS.format(org=org), json=body)
        payload = _json(response) if response is not None and response.ok else None
        project = payload.get("project_id") if isinstance(payload, dict) else None
        if not isinstance(project, str) or not project:
            return None
        with self._lock:
            self.projects.append(project)
        return project

    def project(self) -> str | None:
        """The run's standing project, for calls that read or change one (made once)."""
        with self._lock:
            if self._project is None:
                self._project = self.create_project(f"{self.ns.prefix}project")
            return self._project

    def forget_project(self, project: str) -> None:
        """A test deleted this project itself."""
        with self._lock:
            if project in self.projects:
                self.projects.remove(project)

    def fresh_member(self, project: str) -> str:
        """An address at the reserved domain, added to one of the run's projects as a READER."""
        email = self.member_email()
        org = self.org()
        if org is not None:
            member = {"email": email, "role": "READER"}
            self.request("POST", f"{PROJECTS.format(org=org)}{project}/members/", json=member)
        return email

    def member_email(self) -> str:
        return f"{self.ns.prefix}{secrets.token_hex(4)}@{MEMBER_DOMAIN}"

    # ---- webhooks
    def create_webhook(self, project: str, body: dict[str, Any]) -> requests.Response | None:
        """Create a webhook on one of the run's projects (its url must be the receiver's); tracked for cleanup."""
        response = self.request("POST", f"/api/v1/webhooks/projects/{project}/", json=body)
        payload = _json(response) if response is not None and response.ok else None
        hook = payload.get("webhook_id") if isinstance(payload, dict) else None
        if isinstance(hook, (str, int)) and str(hook):
            with self._lock:
                self.webhooks.append(str(hook))
        return response

    def fresh_webhook(self) -> str | None:
        """A new inactive webhook on the run's project, pointing at the receiver."""
        project = self.project()
        if project is None:
            return None
        body = {"name": f"{self.ns.prefix}hook", "url": self.hook_url(), "event_types": ["memory_add"],
                "is_active": False}
        before = len(self.webhooks)
        self.create_webhook(project, body)
        return self.webhooks[-1] if len(self.webhooks) > before else None

    def webhook(self) -> str | None:
        """The run's standing webhook (made once)."""
        with self._lock:
            if self._webhook is None:
                self._webhook = self.fresh_webhook()
            return self._webhook

    def forget_webhook(self, hook: str) -> None:
        with self._lock:
            if hook in self.webhooks:
                self.webhooks.remove(hook)

    # ---- events and profile jobs
    def event_id(self) -> str | None:
        """The id of an event the run made (a verbatim v3 add of the run's default user)."""
        with self._lock:
            if self._event is None:
                body = {"messages": [{"role": "user", "content": f"event probe {secrets.token_hex(3)}"}],
                        "user_id": self.ns.default_user, "infer": False}
                self.ns.track(body)
                response = self.request("POST", "/v3/memories/add/", json=body)
                payload = _json(response) if response is not None and response.ok else None
                event = payload.get("event_id") if isinstance(payload, dict) else None
                self._event = event if isinstance(event, str) else None
            return self._event

    def job_id(self) -> str | None:
        """The id of a profile job the run started (a trigger for the run's default user)."""
        with self._lock:
            if self._job is None:
                self.ns.ensure_entity("user", self.ns.default_user)
                body = {"operation": "trigger", "entity_type": "user", "entity_id": self.ns.default_user}
                response = self.request("POST", "/v2/profiles/jobs/", json=body)
                payload = _json(response) if response is not None and response.ok else None
                job = payload.get("job_id") if isinstance(payload, dict) else None
                self._job = job if isinstance(job, str) else None
            return self._job

    # ---- profile settings of the key's project
    def snapshot_profile_settings(self) -> None:
        """Remember the settings before the run's first change (once)."""
        with self._lock:
            if self._settings is None:
                response = self.request("GET", "/v2/profiles/settings/")
                payload = _json(response) if response is not None and response.ok else None
                if isinstance(payload, dict):
                    self._settings = payload

    def restore_profile_settings(self) -> str | None:
        """Write the remembered settings back; answers a problem, or None."""
        with self._lock:
            if self._settings is None:
                return None
            user = (self._settings.get("entities") or {}).get("user") or {}
            body = {"enabled": self._settings.get("enabled", True),
                    "entities": {"user": {"schema": user.get("schema"),
                                          "custom_instructions": user.get("custom_instructions")}}}
        response = self.request("POST", "/v2/profiles/settings/", json=body)
        if response is None or not response.ok:
            return f"profile settings not restored: {getattr(response, 'status_code', 'no answer')}"
        return None

    # ---- the end
    def cleanup(self) -> list[str]:
        """Delete the run's webhooks and projects, put profile settings back, stop the receiver."""
        problems = []
        problem = self.restore_profile_settings()
        if problem:
            problems.append(problem)
        org = self.org()
        projects = list(self.projects)
        if org is not None and self._touched:
            # Projects a generated create made (their ids were never seen) carry the prefix in their name.
            response = self.request("GET", PROJECTS.format(org=org))
            listed = _json(response) if response is not None and response.ok else None
            for item in listed if isinstance(listed, list) else []:
                if (isinstance(item, dict) and str(item.get("name", "")).startswith(self.ns.prefix)
                        and item.get("project_id") not in projects and not item.get("is_default")):
                    projects.append(item["project_id"])
        hooks = list(self.webhooks)
        for project in projects:
            response = self.request("GET", f"/api/v1/webhooks/projects/{project}/")
            listed = _json(response) if response is not None and response.ok else None
            for item in listed if isinstance(listed, list) else []:
                if isinstance(item, dict) and str(item.get("webhook_id")) not in hooks:
                    hooks.append(str(item.get("webhook_id")))
        for hook in hooks:
            response = self.request("DELETE", f"/api/v1/webhooks/{hook}/")
            if response is None or response.status_code not in (200, 204, 404):
                problems.append(f"webhook {hook}: {getattr(response, 'status_code', 'no answer')}")
        for project in projects:
            response = self.request("DELETE", f"{PROJECTS.format(org=org)}{project}/")
            if response is None or response.status_code not in (200, 204, 404):
                problems.append(f"project {project}: {getattr(response, 'status_code', 'no answer')}")
        self.stop_receiver()
        return problems

    def stop_receiver(self) -> None:
        if self._receiver is not None:
            self._receiver.stop()
