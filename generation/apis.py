"""Producer-only API for generation: launching a batch."""

from rest_framework.views import APIView


class BatchLaunchApi(APIView):
    pass
