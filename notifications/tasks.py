"""Thin Celery tasks: ids in, one service call."""

from celery import shared_task

from notifications import services


@shared_task(ignore_result=True)
def delivery_send_task(*, delivery_id: int) -> bool:
    return services.delivery_send(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def delivery_sweep_task() -> int:
    return services.delivery_sweep()
