"""ORM models of the tables editors write (geoalchemy2), used by /beheer and the review flow.

Reads for the public stay on the SQL views (``laag_*``, layers/); these models are the write
path. The schema itself lives in the Alembic migrations (geo/sql/), never in ``create_all``.

``versie`` is SQLAlchemy's version counter: every UPDATE says ``WHERE versie = <read>``
and raises ``StaleDataError`` when another editor saved first (optimistic locking, see
geo/records/editing.py for the conflict view's field-by-field comparison).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY, ENUM, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ZICHTBAARHEID = ENUM("openbaar", "professional", "intern", name="zichtbaarheid", create_type=False)


class Base(DeclarativeBase):
    """Declarative base of the editable tables (no metadata.create_all: Alembic owns DDL)."""


aanbod_thema = sa.Table(
    "aanbod_thema",
    Base.metadata,
    sa.Column("aanbod_id", sa.BigInteger, sa.ForeignKey("aanbod.id"), primary_key=True),
    sa.Column("thema_slug", sa.Text, primary_key=True),
)
aanbod_doelgroep = sa.Table(
    "aanbod_doelgroep",
    Base.metadata,
    sa.Column("aanbod_id", sa.BigInteger, sa.ForeignKey("aanbod.id"), primary_key=True),
    sa.Column("doelgroep_slug", sa.Text, primary_key=True),
)


class Organisatie(Base):
    """An organisation (HSDS organization)."""

    __tablename__ = "organisatie"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True), primary_key=True)
    naam: Mapped[str] = mapped_column(sa.Text)
    omschrijving: Mapped[str | None] = mapped_column(sa.Text)
    website: Mapped[str | None] = mapped_column(sa.Text)
    email: Mapped[str | None] = mapped_column(sa.Text)
    telefoon: Mapped[str | None] = mapped_column(sa.Text)
    kvk_nummer: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.Text, server_default="gepubliceerd")
    zichtbaarheid: Mapped[str] = mapped_column(ZICHTBAARHEID, server_default="openbaar")
    bron: Mapped[str] = mapped_column(sa.Text)
    bron_id: Mapped[str] = mapped_column(sa.Text)
    synthetisch: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    laatst_geverifieerd_op: Mapped[dt.date | None] = mapped_column(sa.Date)
    versie: Mapped[int] = mapped_column(sa.Integer)
    aangemaakt_op: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    gewijzigd_op: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )

    aanbod: Mapped[list[Aanbod]] = relationship(back_populates="organisatie", order_by="Aanbod.id")
    locaties: Mapped[list[Locatie]] = relationship(
        back_populates="organisatie", order_by="Locatie.id"
    )
    contactpersonen: Mapped[list[Contactpersoon]] = relationship(
        back_populates="organisatie", order_by="Contactpersoon.id"
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": versie}


class Aanbod(Base):
    """A service of an organisation (HSDS service)."""

    __tablename__ = "aanbod"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True), primary_key=True)
    organisatie_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("organisatie.id"))
    naam: Mapped[str] = mapped_column(sa.Text)
    omschrijving: Mapped[str | None] = mapped_column(sa.Text)
    kosten: Mapped[str | None] = mapped_column(sa.Text)
    aanmelden: Mapped[str | None] = mapped_column(sa.Text)
    voorwaarden: Mapped[str | None] = mapped_column(sa.Text)
    talen: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), server_default="{nl}")
    openingstijden: Mapped[dict | None] = mapped_column(JSONB)
    werkgebied: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), server_default="{}")
    capaciteit: Mapped[float | None] = mapped_column(sa.Numeric)
    zichtbaarheid: Mapped[str] = mapped_column(ZICHTBAARHEID, server_default="openbaar")
    status: Mapped[str] = mapped_column(sa.Text, server_default="gepubliceerd")
    bron: Mapped[str] = mapped_column(sa.Text)
    bron_id: Mapped[str] = mapped_column(sa.Text)
    laatst_geverifieerd_op: Mapped[dt.date | None] = mapped_column(sa.Date)
    versie: Mapped[int] = mapped_column(sa.Integer)
    aangemaakt_op: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    gewijzigd_op: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )

    organisatie: Mapped[Organisatie] = relationship(back_populates="aanbod")
    locaties: Mapped[list[Locatie]] = relationship(
        secondary="aanbod_locatie", order_by="Locatie.id", viewonly=True
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": versie}


class Locatie(Base):
    """A location with its point in RD New (HSDS location)."""

    __tablename__ = "locatie"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True), primary_key=True)
    organisatie_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("organisatie.id"))
    naam: Mapped[str | None] = mapped_column(sa.Text)
    straat: Mapped[str | None] = mapped_column(sa.Text)
    huisnummer: Mapped[int | None] = mapped_column(sa.Integer)
    huisletter: Mapped[str | None] = mapped_column(sa.Text)
    toevoeging: Mapped[str | None] = mapped_column(sa.Text)
    postcode: Mapped[str | None] = mapped_column(sa.Text)
    woonplaats: Mapped[str | None] = mapped_column(sa.Text)
    # The location's own number (migration 0019); empty: the organisation's number applies.
    telefoon: Mapped[str | None] = mapped_column(sa.Text)
    geom: Mapped[Any] = mapped_column(Geometry("POINT", srid=28992, spatial_index=False))
    geocode_precisie: Mapped[str | None] = mapped_column(sa.Text)
    geocode_bron: Mapped[str | None] = mapped_column(sa.Text)
    # Set by the locatie_gebieden trigger from geom; never written by editors.
    buurtcode: Mapped[str | None] = mapped_column(sa.Text, server_default=sa.FetchedValue())
    wijkcode: Mapped[str | None] = mapped_column(sa.Text, server_default=sa.FetchedValue())
    gemeentecode: Mapped[str | None] = mapped_column(sa.Text, server_default=sa.FetchedValue())
    vertrouwelijk: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    toegankelijkheid: Mapped[str | None] = mapped_column(sa.Text)
    zichtbaarheid: Mapped[str] = mapped_column(ZICHTBAARHEID, server_default="openbaar")
    status: Mapped[str] = mapped_column(sa.Text, server_default="gepubliceerd")
    bron: Mapped[str] = mapped_column(sa.Text)
    bron_id: Mapped[str] = mapped_column(sa.Text)
    laatst_geverifieerd_op: Mapped[dt.date | None] = mapped_column(sa.Date)
    versie: Mapped[int] = mapped_column(sa.Integer)
    aangemaakt_op: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    gewijzigd_op: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )

    organisatie: Mapped[Organisatie] = relationship(back_populates="locaties")

    __mapper_args__: dict[str, Any] = {"version_id_col": versie, "eager_defaults": True}


class AanbodLocatie(Base):
    """A service at a location (HSDS service_at_location), with its own visibility."""

    __tablename__ = "aanbod_locatie"

    aanbod_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("aanbod.id"), primary_key=True
    )
    locatie_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("locatie.id"), primary_key=True
    )
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True))
    bron: Mapped[str | None] = mapped_column(sa.Text)
    bron_id: Mapped[str | None] = mapped_column(sa.Text)
    zichtbaarheid: Mapped[str] = mapped_column(ZICHTBAARHEID, server_default="openbaar")


class Contactpersoon(Base):
    """Internal: never in public output."""

    __tablename__ = "contactpersoon"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True), primary_key=True)
    organisatie_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("organisatie.id"))
    naam: Mapped[str] = mapped_column(sa.Text)
    functie: Mapped[str | None] = mapped_column(sa.Text)
    telefoon: Mapped[str | None] = mapped_column(sa.Text)
    email: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.Text, server_default="gepubliceerd")
    versie: Mapped[int] = mapped_column(sa.Integer)
    gewijzigd_op: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now()
    )

    organisatie: Mapped[Organisatie] = relationship(back_populates="contactpersonen")

    __mapper_args__: dict[str, Any] = {"version_id_col": versie}


class Gebruiker(Base):
    """An account: beheerder, redacteur or professional (scoped to gemeenten/gebieden)."""

    __tablename__ = "gebruiker"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(always=True), primary_key=True)
    email: Mapped[str] = mapped_column(sa.Text, unique=True)
    naam: Mapped[str | None] = mapped_column(sa.Text)
    rol: Mapped[str] = mapped_column(sa.Text)
    gemeenten: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), server_default="{}")
    gebieden: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), server_default="{}")
    wachtwoord_hash: Mapped[str] = mapped_column(sa.Text)
    actief: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.true())
    aangemaakt_op: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
    laatst_ingelogd_op: Mapped[dt.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    wachtwoord_gewijzigd_op: Mapped[dt.datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now()
    )
