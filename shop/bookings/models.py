"""Tours, their departures and fares.

A departure is an Oscar child product of its tour with one stock record: `num_in_stock` is the
capacity in people and `num_allocated` the seats sold, so every booking is an ordinary basket
and order line for one specific departure, and seats are allocated by the same guarded code
as gingerbread. The `Departure` row beside the child product keeps what Oscar has no column
for: the start as a real, indexed datetime (one departure per tour and start, enforced by the
database), its status and its fares per ticket type.

After the sale, a customer's own changes are recorded as `BookingChange` rows (a booking
cancelled whole or in part, moved to another date) and a sold-out departure keeps a
`WaitingListEntry` per visitor waiting for seats. One module over 400 lines on purpose: these
are the tables of one app, and a reader looks for all of them here.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.translation import TranslatedMixin

LANGUAGE_HELP = _("Language code, e.g. en or zh-hans")

# A departure with this many seats left or fewer is shown as "few seats left".
FEW_SEATS_LEFT = 3
# The longest free-cancellation period a tour may declare (30 days).
MAX_CANCELLATION_HOURS = 30 * 24


class Difficulty(models.TextChoices):
    EASY = "easy", _("Easy")
    MODERATE = "moderate", _("Moderate")
    CHALLENGING = "challenging", _("Challenging")


class Tour(TranslatedMixin, models.Model):
    """What a tourist needs to know before booking a tour (an Oscar parent product)."""

    product = models.OneToOneField(
        "catalogue.Product",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="tour",
        verbose_name=_("Product"),
    )
    duration_minutes = models.PositiveIntegerField(
        _("Duration, minutes"), validators=[MinValueValidator(1)]
    )
    meeting_point = models.CharField(_("Meeting point"), max_length=255)
    meeting_point_map_url = models.URLField(_("Meeting point on a map"), blank=True)
    what_to_bring = models.TextField(_("What to bring"), blank=True)
    languages = models.CharField(
        _("Guided in"),
        max_length=100,
        default="ru",
        help_text=_("Language codes separated by commas, e.g. ru,en"),
    )
    difficulty = models.CharField(
        _("Difficulty"), max_length=20, choices=Difficulty.choices, default=Difficulty.EASY
    )
    min_group_size = models.PositiveSmallIntegerField(
        _("Minimum group size"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("The departure runs when at least this many people have booked."),
    )
    max_group_size = models.PositiveSmallIntegerField(
        _("Maximum group size"),
        default=15,
        validators=[MinValueValidator(1)],
        help_text=_("Capacity of a new departure."),
    )
    max_per_booking = models.PositiveSmallIntegerField(
        _("Most people in one booking"), default=10, validators=[MinValueValidator(1)]
    )
    booking_cutoff_hours = models.PositiveSmallIntegerField(
        _("Booking closes, hours before the start"), default=12
    )
    free_cancellation_hours = models.PositiveSmallIntegerField(
        _("Free cancellation until, hours before the start"),
        default=24,
        validators=[MaxValueValidator(MAX_CANCELLATION_HOURS)],
        help_text=_(
            "Until then a customer cancels a booking (the money goes back in full) or moves it "
            "to another date themselves, from the order's page; after that, neither."
        ),
    )
    cancellation_terms = models.TextField(
        _("More about cancellation"),
        blank=True,
        help_text=_(
            "Shown after the rule above, e.g. what happens when the weather cancels the tour."
        ),
    )
    decision_hours = models.PositiveSmallIntegerField(
        _("Go/no-go decision, hours before the start"),
        default=24,
        help_text=_(
            "At this moment a departure with fewer people than the minimum group size is "
            "shown to the guides and the bureau to decide, or cancelled automatically."
        ),
    )
    cancel_below_minimum = models.BooleanField(
        _("Cancel automatically below the minimum"),
        default=False,
        help_text=_(
            "At the go/no-go moment a departure below the minimum group size is cancelled "
            "for everyone (refunds and e-mails) without asking the bureau."
        ),
    )
    is_group_booking = models.BooleanField(
        _("Books a whole group"),
        default=False,
        help_text=_(
            "A school or college group books the tour: the booking asks for the group "
            "leader's name, organisation and phone."
        ),
    )

    class Meta:
        verbose_name = _("Tour")
        verbose_name_plural = _("Tours")

    def __str__(self):
        return str(self.product)

    @property
    def booking_cutoff(self) -> dt.timedelta:
        return dt.timedelta(hours=self.booking_cutoff_hours)

    @property
    def decision_ahead(self) -> dt.timedelta:
        return dt.timedelta(hours=self.decision_hours)

    @property
    def language_codes(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    def get_meeting_point(self):
        return self.translated("meeting_point", self.meeting_point)

    def get_what_to_bring(self):
        return self.translated("what_to_bring", self.what_to_bring)

    def get_cancellation_terms(self):
        return self.translated("cancellation_terms", self.cancellation_terms)


# What the dashboard's tour form edits: the facts, and the texts translated into English.
TOUR_FACT_FIELDS = [
    "duration_minutes",
    "meeting_point",
    "meeting_point_map_url",
    "what_to_bring",
    "languages",
    "difficulty",
    "min_group_size",
    "max_group_size",
    "max_per_booking",
    "booking_cutoff_hours",
    "free_cancellation_hours",
    "decision_hours",
    "cancel_below_minimum",
    "cancellation_terms",
    "is_group_booking",
]
TRANSLATED_FIELDS = ["meeting_point", "what_to_bring", "cancellation_terms"]


class TourTranslation(models.Model):
    tour = models.ForeignKey(Tour, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("Language"), max_length=10, help_text=LANGUAGE_HELP)
    meeting_point = models.CharField(_("Meeting point"), max_length=255, blank=True)
    what_to_bring = models.TextField(_("What to bring"), blank=True)
    cancellation_terms = models.TextField(_("Cancellation terms"), blank=True)

    class Meta:
        verbose_name = _("Tour translation")
        verbose_name_plural = _("Tour translations")
        constraints = [
            models.UniqueConstraint(fields=["tour", "language"], name="unique_tour_translation")
        ]

    def __str__(self):
        return f"{self.tour_id} [{self.language}]"


class TicketType(TranslatedMixin, models.Model):
    """Adult, child, student, group member: each has its own price on every departure."""

    code = models.SlugField(_("Code"), max_length=30, unique=True)
    name = models.CharField(_("Name"), max_length=100)
    description = models.CharField(_("Who it is for"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(_("Position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("Ticket type")
        verbose_name_plural = _("Ticket types")

    def __str__(self):
        return self.get_name()

    def get_name(self):
        return self.translated("name", self.name)

    def get_description(self):
        return self.translated("description", self.description)


class TicketTypeTranslation(models.Model):
    ticket_type = models.ForeignKey(
        TicketType, on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(_("Language"), max_length=10, help_text=LANGUAGE_HELP)
    name = models.CharField(_("Name"), max_length=100, blank=True)
    description = models.CharField(_("Who it is for"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("Ticket type translation")
        verbose_name_plural = _("Ticket type translations")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket_type", "language"], name="unique_ticket_type_translation"
            )
        ]

    def __str__(self):
        return f"{self.ticket_type_id} [{self.language}]"


class DepartureStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CLOSED = "closed", _("Booking closed")
    CANCELLED = "cancelled", _("Cancelled")


class CancelReason(models.TextChoices):
    """Why a departure does not run; the customer's e-mail names it in their language."""

    WEATHER = "weather", _("The weather")
    TOO_FEW = "too_few", _("Too few people booked")
    GUIDE = "guide", _("The guide cannot lead it")
    OTHER = "other", _("Another reason")


class Departure(models.Model):
    """One dated run of a tour; seats are the stock of its child product."""

    product = models.OneToOneField(
        "catalogue.Product",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="departure",
        verbose_name=_("Product"),
    )
    tour = models.ForeignKey(
        Tour, on_delete=models.CASCADE, related_name="departures", verbose_name=_("Tour")
    )
    starts_at = models.DateTimeField(_("Starts at"), db_index=True)
    status = models.CharField(
        _("Status"),
        max_length=20,
        choices=DepartureStatus.choices,
        default=DepartureStatus.SCHEDULED,
        db_index=True,
    )
    status_reason = models.CharField(_("Reason"), max_length=255, blank=True)
    cancel_reason = models.CharField(
        _("Why it is cancelled"), max_length=20, choices=CancelReason.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The students who guide it: the tourists' feedback on it is evidence of their work.
    guides = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="guided_departures",
        verbose_name=_("Guides"),
    )
    # When the go/no-go check looked at it (shop/bookings/go_no_go.py), and who decided to run
    # it anyway although it had fewer people than the tour's minimum.
    minimum_checked_at = models.DateTimeField(null=True, blank=True)
    runs_anyway_at = models.DateTimeField(null=True, blank=True)
    runs_anyway_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("Departure")
        verbose_name_plural = _("Departures")
        constraints = [
            models.UniqueConstraint(
                fields=["tour", "starts_at"], name="one_departure_per_tour_and_start"
            )
        ]

    def __str__(self):
        return f"{self.tour.product.get_title()}, {self.local_start_label()}"

    @property
    def local_starts_at(self) -> dt.datetime:
        return timezone.localtime(self.starts_at)

    def local_start_label(self) -> str:
        from shop.core.dates import when_text

        return when_text(self.local_starts_at, "date_time")

    @property
    def booking_closes_at(self) -> dt.datetime:
        return self.starts_at - self.tour.booking_cutoff

    @property
    def changes_close_at(self) -> dt.datetime:
        """Until when a customer cancels or moves a booking on this departure themselves."""
        return self.starts_at - dt.timedelta(hours=self.tour.free_cancellation_hours)

    def reason_text(self) -> str:
        """Why it is cancelled (or closed), in the active language and staff's words."""
        from shop.bookings.cancellation import reason_text

        return reason_text(self.cancel_reason, self.status_reason)

    @property
    def decision_at(self) -> dt.datetime:
        """The go/no-go moment: whether it runs with fewer people than the minimum."""
        return self.starts_at - self.tour.decision_ahead

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.tour.duration_minutes)

    @property
    def is_below_minimum(self) -> bool:
        return self.seats_sold < self.tour.min_group_size

    def awaits_decision(self, now: dt.datetime | None = None) -> bool:
        """Past its go/no-go moment with fewer people than the minimum, and nobody has
        decided yet to run it anyway (or cancel it)."""
        now = now or timezone.now()
        return (
            self.status != DepartureStatus.CANCELLED
            and self.minimum_checked_at is not None
            and self.runs_anyway_at is None
            and self.starts_at > now
            and self.is_below_minimum
        )

    def closed_reason(self, now: dt.datetime | None = None):
        """Why no one can book this departure now, or None when it is open for booking."""
        now = now or timezone.now()
        if self.status == DepartureStatus.CANCELLED:
            return _("This departure is cancelled.")
        if self.starts_at <= now:
            return _("This departure has already started.")
        if self.status == DepartureStatus.CLOSED or now >= self.booking_closes_at:
            return _("Booking for this departure is closed.")
        return None

    def is_open_for_booking(self, now: dt.datetime | None = None) -> bool:
        return self.closed_reason(now) is None

    @property
    def stockrecord(self):
        records = self.product.stockrecords.all()
        return records[0] if records else None

    @property
    def capacity(self) -> int:
        record = self.stockrecord
        return record.num_in_stock or 0 if record else 0

    @property
    def seats_sold(self) -> int:
        record = self.stockrecord
        return record.num_allocated or 0 if record else 0

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_sold, 0)

    def fares_in_order(self) -> list["Fare"]:
        return sorted(self.fares.all(), key=lambda f: (f.ticket_type.position, f.ticket_type_id))

    def fare_for(self, code: str):
        return next((f for f in self.fares.all() if f.ticket_type.code == code), None)

    def full_fare(self) -> "Fare | None":
        """The fare the departure is shown at: an adult's (shop/bookings/pricing.py)."""
        from shop.bookings.pricing import full_fare

        return full_fare(self.fares.all())


class Fare(models.Model):
    """The price of one ticket type on one departure."""

    departure = models.ForeignKey(Departure, on_delete=models.CASCADE, related_name="fares")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="fares")
    price = models.DecimalField(
        _("Price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("Fare")
        verbose_name_plural = _("Fares")
        constraints = [
            models.UniqueConstraint(
                fields=["departure", "ticket_type"], name="one_fare_per_ticket_type"
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="fare_not_negative"),
        ]

    def __str__(self):
        return f"{self.ticket_type}: {self.price}"


# Letters and digits that cannot be mistaken for each other when read aloud or typed.
SHORT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class TicketVoid(models.TextChoices):
    CANCELLED = "cancelled", _("The booking is cancelled")
    MOVED = "moved", _("The booking moved to another date")


class Ticket(models.Model):
    """One booking on one departure in a paid order: what the guide checks in.

    A ticket is never deleted: a booking cancelled by its customer voids it, a booking moved
    to another date voids it and points to the ticket issued for the new date.
    """

    order = models.ForeignKey("order.Order", on_delete=models.CASCADE, related_name="tickets")
    departure = models.ForeignKey(Departure, on_delete=models.PROTECT, related_name="tickets")
    booking_ref = models.CharField(max_length=32)
    code = models.CharField(_("Short code"), max_length=12, unique=True)
    people = models.PositiveSmallIntegerField(_("People"))
    lead_name = models.CharField(_("Lead participant"), max_length=150)
    lead_phone = models.CharField(_("Phone"), max_length=30, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    no_show_at = models.DateTimeField(null=True, blank=True)
    no_show_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voided_at = models.DateTimeField(_("Void since"), null=True, blank=True)
    void_reason = models.CharField(
        _("Why void"), max_length=20, choices=TicketVoid.choices, blank=True
    )
    replaced_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["lead_name", "pk"]
        verbose_name = _("Ticket")
        verbose_name_plural = _("Tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "departure", "booking_ref"], name="one_ticket_per_booking"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.lead_name}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


# --- After the sale: the customer's own changes and the waiting list -------------------------


class ChangeKind(models.TextChoices):
    CANCEL = "cancel", _("Booking cancelled")
    CANCEL_PART = "cancel_part", _("Some people cancelled")
    MOVE = "move", _("Moved to another date")


class ChangeStatus(models.TextChoices):
    # A move to a dearer date waits for the difference to be paid (shop/payments/
    # supplements.py); nothing about the booking changes until it is applied.
    AWAITING_PAYMENT = "awaiting_payment", _("Waiting for the difference to be paid")
    APPLIED = "applied", _("Done")
    # Not applied, nothing charged: the date filled while the customer paid, or the pay step
    # was abandoned and ran out. The booking is as it was.
    NOT_APPLIED = "not_applied", _("Not done: the booking is unchanged")
    EXPIRED = "expired", _("Not paid in time: the booking is unchanged")


class BookingChange(models.Model):
    """A change a customer made to one booking (its ticket): what changed and what it cost.

    Made and applied by shop/bookings/changes.py. `key` is the one-time key of the form that
    asked for it, so a form sent twice changes the booking once. The refund, if any, is made
    through the payment layer with the key `booking-change-<id>`.
    """

    key = models.CharField(max_length=64, unique=True)
    order = models.ForeignKey(
        "order.Order", on_delete=models.PROTECT, related_name="booking_changes"
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("Change"), max_length=20, choices=ChangeKind.choices)
    status = models.CharField(
        _("Status"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.APPLIED
    )
    from_departure = models.ForeignKey(Departure, on_delete=models.PROTECT, related_name="+")
    to_departure = models.ForeignKey(
        Departure, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    people = models.PositiveSmallIntegerField(_("People"))
    # {ticket type code: people} cancelled or moved, and the names taken off the booking.
    tickets = models.JSONField(default=dict)
    names_removed = models.JSONField(default=list, blank=True)
    refund_amount = models.DecimalField(
        _("Refund"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    amount_due = models.DecimalField(
        _("To pay"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    # The signed-in customer who asked; empty for a guest (known through the order's link).
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The key of the supplementary payment attempt whose money applied the change (a move to
    # a dearer date): another attempt for the same change is released, never captured.
    paid_with = models.CharField(max_length=32, blank=True)
    # Why a change waiting for payment was not applied, in the customer's language.
    message = models.TextField(blank=True)
    # A dearer date chosen instead of the refund of a departure we cancelled
    # (shop/bookings/rebooking.py): its booking is the offer's cancelled lines, and it is
    # applied only while the offer is still open.
    rebook_offer = models.ForeignKey(
        "RebookOffer", on_delete=models.PROTECT, null=True, blank=True, related_name="pay_steps"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("Booking change")
        verbose_name_plural = _("Booking changes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refund_amount__gte=0) & models.Q(amount_due__gte=0),
                name="booking_change_amounts_not_negative",
            )
        ]

    def __str__(self):
        return f"{self.order_id} {self.kind} {self.people}"

    @property
    def refund_key(self) -> str:
        return f"booking-change-{self.pk}"


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the customer's choice")
    REBOOKED = "rebooked", _("Another date chosen")
    REFUNDED = "refunded", _("Refunded")


class RebookOffer(models.Model):
    """A paid order's bookings on a departure we cancelled, offered another date of the same
    tour instead of the refund (shop/bookings/rebooking.py).

    Its seats are released and tickets void at once; the refund (`amount`) waits until the
    customer asks for it, chooses a date (then only a cheaper date's difference goes back), or
    `refund_by` passes. The refund's key is the departure cancellation's, so it is made once
    whichever way it goes.
    """

    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="+")
    departure = models.ForeignKey(Departure, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("Refund"), max_digits=12, decimal_places=2)
    # The order lines the cancellation cancelled (what a new date would carry).
    lines = models.JSONField(default=list)
    refund_by = models.DateTimeField(_("Refunded automatically on"))
    status = models.CharField(max_length=20, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    to_departure = models.ForeignKey(
        Departure, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The change that rebooked it (its form's key, its new ticket, a cheaper date's refund).
    change = models.OneToOneField(
        BookingChange, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["refund_by", "pk"]
        verbose_name = _("Another date instead of the refund")
        verbose_name_plural = _("Other dates instead of the refund")
        constraints = [
            models.UniqueConstraint(fields=["order", "departure"], name="one_offer_per_booking"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="offer_refund_positive"),
        ]
        indexes = [
            models.Index(
                fields=["refund_by"], name="offer_open_due", condition=models.Q(status="open")
            )
        ]

    def __str__(self):
        return f"{self.order_id} {self.departure_id} ({self.status})"


class WaitStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Seats held")
    BOOKED = "booked", _("Booked")
    LAPSED = "lapsed", _("Hold lapsed")
    LEFT = "left", _("Gave up")
    CLOSED = "closed", _("Date no longer booked")


# An entry in these states is still on the list (one per e-mail and departure).
WAITING_STATUSES = (WaitStatus.WAITING, WaitStatus.OFFERED)


class WaitingListEntry(models.Model):
    """A visitor waiting for seats on a sold-out departure.

    When seats come back, the first entries in line that fit are offered them
    (shop/bookings/waitlist.py): the seats are allocated to the entry (a hold: they count
    against capacity like sold seats) until `hold_expires_at`, and the visitor is e-mailed a
    link that books them. A booking made through the link takes the hold's seats instead of
    allocating again; a hold not used in time is released and offered to the next in line.
    """

    departure = models.ForeignKey(Departure, on_delete=models.PROTECT, related_name="waiting_list")
    email = models.EmailField(_("E-mail"))
    people = models.PositiveSmallIntegerField(_("People"), validators=[MinValueValidator(1)])
    language = models.CharField(_("Language"), max_length=10)
    status = models.CharField(
        _("Status"),
        max_length=20,
        choices=WaitStatus.choices,
        default=WaitStatus.WAITING,
        db_index=True,
    )
    # The secret of the e-mailed link (signed as well, so it cannot be guessed or altered).
    key = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(_("Joined"), default=timezone.now)
    offered_at = models.DateTimeField(_("Seats held since"), null=True, blank=True)
    hold_expires_at = models.DateTimeField(_("Held until"), null=True, blank=True, db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The basket the holder put the booking in; only that basket may use the hold.
    basket = models.ForeignKey(
        "basket.Basket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.ForeignKey(
        "order.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("Waiting list entry")
        verbose_name_plural = _("Waiting list")
        constraints = [
            models.UniqueConstraint(
                fields=["departure", "email"],
                condition=models.Q(status__in=["waiting", "offered"]),
                name="one_waiting_entry_per_email",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="offered") | models.Q(hold_expires_at__isnull=False),
                name="a_hold_has_an_expiry",
            ),
        ]

    def __str__(self):
        return f"{self.departure_id} {self.people} {self.status}"

    def holds_seats(self, now: dt.datetime | None = None) -> bool:
        """Whether the entry's seats are held for it right now."""
        now = now or timezone.now()
        return self.status == WaitStatus.OFFERED and self.hold_expires_at > now
