from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gridgov.notify import services
from gridgov.notify.models import Message


@login_required
def inbox(request):
    page = Paginator(Message.objects.filter(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "notify/inbox.html", {"nav": "inbox", "page": page})


@login_required
@require_POST
def read_all(request):
    services.mark_read(request.user)
    return redirect("notify:inbox")
