"""Thin Celery tasks: ids in, one service call."""

from celery import shared_task

from notifications import services


# One delivery: messages queued by an earlier version, and the admin's retry of one.
@shared_task(ignore_result=True)
def delivery_send_task(*, delivery_id: int) -> bool:
    return services.delivery_send(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def delivery_sweep_task() -> int:
    return services.delivery_sweep()


@shared_task(ignore_result=True)
def notice_write_task(*, notice_id: int) -> int:
    return services.notice_write(notice_id=notice_id)


@shared_task(ignore_result=True)
def delivery_send_batch_task(*, delivery_ids: list[int]) -> int:
    return services.delivery_send_many(delivery_ids=delivery_ids)
