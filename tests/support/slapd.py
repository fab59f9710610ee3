"""A real OpenLDAP server (Debian's `slapd`) of the tests' own: a temporary cn=config and mdb
database, on a free loopback port — never the system service.

Its schema holds the plain `inetOrgPerson` and a small Active Directory-style `user` class
(`sAMAccountName`, `userPrincipalName`, `userAccountControl`, `objectGUID`), enough for an
AD-shaped entry set. Each test works in an organisational unit of its own (`Slapd.unit`), so
one server serves them all.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from ldap3 import MODIFY_REPLACE, Connection, Server

from mfadesk.domain.identity_sources import IdentitySource
from mfadesk.domain.ldap_sources import (
    AD_USER_FILTER,
    PLAIN_USER_FILTER,
    AttributeMap,
    LdapSettings,
)
from mfadesk.services.context import ServiceEnv
from mfadesk.services.ldap_sync import add_ldap_source
from mfadesk.services.provisioning import Operator
from mfadesk.store.database import Database
from tests.support.databases import unavailable
from tests.support.live_server import free_port

SUFFIX = "dc=example,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "directory-secret"
MODULES = "/usr/lib/ldap"
SCHEMAS = "/etc/ldap/schema"
_OID = "1.3.6.1.4.1.55555.1"

_CONFIG = """\
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {root}/slapd.pid
olcSizeLimit: unlimited
olcTLSCertificateFile: {root}/server.pem
olcTLSCertificateKeyFile: {root}/server.key

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: {modules}
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file://{schemas}/core.ldif

include: file://{schemas}/cosine.ldif

include: file://{schemas}/inetorgperson.ldif

dn: cn=adstyle,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: adstyle
olcAttributeTypes: ( {oid}.1 NAME 'sAMAccountName' EQUALITY caseIgnoreMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
olcAttributeTypes: ( {oid}.2 NAME 'userPrincipalName' EQUALITY caseIgnoreMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
olcAttributeTypes: ( {oid}.3 NAME 'userAccountControl' EQUALITY integerMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
olcAttributeTypes: ( {oid}.4 NAME 'objectGUID' EQUALITY octetStringMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
olcObjectClasses: ( {oid}.10 NAME 'user' SUP organizationalPerson STRUCTURAL
  MAY ( sAMAccountName $ userPrincipalName $ userAccountControl $ objectGUID $
  givenName $ mail ) )
olcObjectClasses: ( {oid}.11 NAME 'computer' SUP user STRUCTURAL )

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcDbDirectory: {root}/data
olcSuffix: {suffix}
olcRootDN: {root_dn}
olcRootPW: {password}
olcDbMaxSize: 4294967296
olcSizeLimit: unlimited
olcAccess: {{0}}to * by * read
"""

_DATA = f"""\
dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
dc: example
o: Example
"""


@dataclass
class Person:
    """An entry of a test's unit: plain (inetOrgPerson) or Active Directory-style (`user`)."""

    name: str  # uid / sAMAccountName, and the entry's cn
    email: str
    first_name: str = "Ada"
    last_name: str = "Lovelace"
    disabled: bool = False  # AD only: userAccountControl 514 instead of 512
    guid: bytes = field(default_factory=lambda: uuid.uuid4().bytes_le)


def write_certificates(folder: Path) -> None:
    """A test CA (`ca.pem`) and the server's certificate for 127.0.0.1 signed by it."""
    now = datetime.now(UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("mfadesk test CA"))
        .issuer_name(name("mfadesk test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


class Slapd:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"ldap://127.0.0.1:{self.port}"
        self.ldaps_url = f"ldaps://127.0.0.1:{free_port()}"
        self._root = Path(tempfile.mkdtemp(prefix="mfadesk-slapd-"))
        self.ca_file = self._root / "ca.pem"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, extra_ldif: str = "") -> None:
        binary = shutil.which("slapd") or (
            "/usr/sbin/slapd" if Path("/usr/sbin/slapd").exists() else None
        )
        slapadd = shutil.which("slapadd") or "/usr/sbin/slapadd"
        if binary is None:
            unavailable(
                "slapd", FileNotFoundError("slapd is not installed (apt-get install slapd)")
            )
        assert binary is not None
        write_certificates(self._root)
        config = self._root / "slapd.d"
        config.mkdir()
        (self._root / "data").mkdir()
        ldif = self._root / "config.ldif"
        ldif.write_text(
            _CONFIG.format(
                root=self._root,
                modules=MODULES,
                schemas=SCHEMAS,
                oid=_OID,
                suffix=SUFFIX,
                root_dn=ROOT_DN,
                password=ROOT_PASSWORD,
            )
        )
        subprocess.run(
            [slapadd, "-n", "0", "-F", str(config), "-l", str(ldif)],
            check=True,
            capture_output=True,
        )
        data = self._root / "data.ldif"
        data.write_text(_DATA + "\n" + extra_ldif)
        subprocess.run(
            [slapadd, "-q", "-n", "1", "-F", str(config), "-l", str(data)],
            check=True,
            capture_output=True,
        )
        self._process = subprocess.Popen(
            [binary, "-d", "0", "-h", f"{self.url}/ {self.ldaps_url}/", "-F", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while True:
            try:
                self.connection().unbind()
                return
            except Exception:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("slapd did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self._root, ignore_errors=True)

    def connection(self) -> Connection:
        server = Server(self.url, connect_timeout=5)
        return Connection(
            server, user=ROOT_DN, password=ROOT_PASSWORD, auto_bind=True, raise_exceptions=True
        )

    def unit(self) -> Unit:
        """A fresh organisational unit for one test's entries."""
        dn = f"ou=t{uuid.uuid4().hex[:12]},{SUFFIX}"
        connection = self.connection()
        connection.add(dn, ["organizationalUnit"], {"ou": dn.split(",", maxsplit=1)[0][3:]})
        return Unit(self, dn, connection)

    def password_file(self, folder: Path) -> Path:
        path = folder / "bind-password"
        path.write_text(ROOT_PASSWORD + "\n")
        os.chmod(path, 0o600)
        return path


@dataclass
class Unit:
    slapd: Slapd
    dn: str
    connection: Connection

    def dn_of(self, person: Person) -> str:
        return f"cn={person.name},{self.dn}"

    def add_plain(self, person: Person) -> None:
        self.connection.add(
            self.dn_of(person),
            ["inetOrgPerson"],
            {
                "uid": person.name,
                "mail": person.email,
                "givenName": person.first_name,
                "sn": person.last_name,
            },
        )

    def add_ad(self, person: Person) -> None:
        self.connection.add(
            self.dn_of(person),
            ["user"],
            {
                "sAMAccountName": person.name,
                "userPrincipalName": f"{person.name}@corp.example.test",
                "mail": person.email,
                "givenName": person.first_name,
                "sn": person.last_name,
                "userAccountControl": 514 if person.disabled else 512,
                "objectGUID": person.guid,
            },
        )

    def modify(self, person: Person, **changes: object) -> None:
        self.connection.modify(
            self.dn_of(person),
            {name: [(MODIFY_REPLACE, [value])] for name, value in changes.items()},
        )

    def delete(self, person: Person) -> None:
        self.connection.delete(self.dn_of(person))

    def entry_uuid(self, person: Person) -> str:
        self.connection.search(
            self.dn_of(person), "(objectClass=*)", "BASE", attributes=["entryUUID"]
        )
        return str(self.connection.entries[0].entryUUID.value)


def ldap_settings(unit: Unit, *, ad: bool = False, url: str | None = None) -> LdapSettings:
    return LdapSettings(
        url=url or unit.slapd.url,
        bind_dn=ROOT_DN,
        base_dn=unit.dn,
        user_filter=AD_USER_FILTER if ad else PLAIN_USER_FILTER,
        attributes=AttributeMap.defaults(ad),
        active_directory=ad,
    )


def add_source(
    db: Database,
    env: ServiceEnv,
    company_id: str,
    settings: LdapSettings,
    *,
    name: str = "Corp",
    password: str = ROOT_PASSWORD,
) -> IdentitySource:
    """An LDAP source, added as `mfadesk source add-ldap` adds it."""
    with db.unit_of_work() as uow:
        company = uow.companies.get(company_id)
        assert company is not None
        return add_ldap_source(uow, Operator.start(env), company, name, settings, password)
