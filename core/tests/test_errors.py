"""One error hierarchy, one mapping: each domain error answers with the status its class
names, on the API (DRF's handler) and on HTML pages (the middleware)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from core import errors
from core.api.handlers import exception_handler
from core.middleware import DomainErrorMiddleware


class Refused(errors.Invalid):
    pass


class Closed(errors.Frozen):
    pass


CASES = [
    (errors.NotAllowed("你无权这样做"), 403),
    (Closed("纪要已签核"), 409),
    (errors.Conflict("已经过账"), 409),
    (Refused("金额不能为负"), 400),
]


@pytest.mark.parametrize(("error", "status"), CASES)
def test_api_answers_with_the_status_of_the_class(error, status):
    response = exception_handler(error, {})
    assert response.status_code == status
    assert response.data["error"]["status"] == status
    detail = response.data["error"]["detail"]
    text = detail["non_field_errors"][0] if status == 400 else detail["detail"]
    assert str(text) == str(error)


@pytest.mark.django_db
@pytest.mark.parametrize(("error", "status"), CASES)
def test_pages_answer_with_the_status_of_the_class(error, status):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    middleware = DomainErrorMiddleware(lambda r: None)
    response = middleware.process_exception(request, error)
    assert response.status_code == status
    assert str(error) in response.content.decode()


def test_other_exceptions_are_left_to_django():
    request = RequestFactory().get("/")
    assert DomainErrorMiddleware(lambda r: None).process_exception(request, KeyError()) is None


def test_the_hierarchy_keeps_the_builtin_bases():
    # Callers that validate input catch ValueError; permission checks catch PermissionError.
    assert issubclass(errors.Invalid, ValueError)
    assert issubclass(errors.NotAllowed, PermissionError)
    assert issubclass(errors.Frozen, errors.Conflict)
    assert errors.http_status(errors.Frozen("x")) == 409
    assert errors.http_status(RuntimeError()) == 400
