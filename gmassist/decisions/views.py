from django.http import HttpResponse


def decision_detail(request, pk):
    return HttpResponse("")
