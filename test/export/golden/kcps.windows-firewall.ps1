# portmatrix export --to windows-firewall
# ruleset kcps-file-server version 2 (rulesets/kcps-file-server.yaml): KCPS file server (KDDI), port requirements
# inventory fixtures/kcps/inventory.yaml
# scenarios: all
# variables: trust_direction=one-way (default)
# inferred rules: included, each marked INFERRED (--documented-only leaves them out)
# 64 openings from 44 rules
#
# run as administrator on each host, naming the roles it plays, for example:
#   .\portmatrix-firewall.ps1 -Role customer-ad
# remove everything it created: Remove-NetFirewallRule -Group 'portmatrix-kcps-file-server'
# inbound rules go on the destination role, outbound rules on the source role (they matter where
# outbound traffic is blocked by default). A rule's client ports become -RemotePort inbound and
# -LocalPort outbound.
# Dropped connections are written to pfirewall.log (portmatrix reads it) once the profile logs them:
#   Set-NetFirewallProfile -All -LogBlocked True -LogAllowed True
#Requires -RunAsAdministrator
#Requires -Modules NetSecurity
param(
  [Parameter(Mandatory = $true)]
  [ValidateSet('customer-ad', 'customer-admin-pc', 'customer-dns', 'customer-mail', 'file-share-client', 'kcps-fs', 'kcps-fs-ad', 'kcps-fs-dns')]
  [string[]] $Role
)
$ErrorActionPreference = 'Stop'
$Group = 'portmatrix-kcps-file-server'
# Running again replaces the group's rules instead of adding copies.
Remove-NetFirewallRule -Group $Group -ErrorAction SilentlyContinue

# ==== role customer-ad: Customer AD server
if ($Role -contains 'customer-ad') {
  # rule ldap-client-to-customer-ad (rulesets/kcps-file-server.yaml:324): Search requests to the customer AD (お客さまADに検索要求).
  #   seed: seed 004 table 1 「LDAP(389/TCP・UDP) LDAP SSL(636/TCP) LDAP GC(3268,3269/TCP) |」 row 「ファイル共有クライアント | お客さま ADサーバー | アクセス権設定時 | お客さまADに検索要求 | |」 (translation: file-sharing client -> customer AD server, at ACL setting, search request to the customer AD)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-ldap-client-to-customer-ad-tcp-in' `
    -DisplayName 'ldap-client-to-customer-ad (tcp 389, 636, 3268-3269) from file-share-client' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 389,636,3268-3269 `
    -RemoteAddress '10.99.1.0-10.99.1.9','10.99.1.11-10.99.1.24','10.99.1.26-10.99.1.52','10.99.1.54-10.99.1.199','10.99.1.201-10.99.1.255','fd00:99:1::/124','fd00:99:1::11-fd00:99:1:0:ffff:ffff:ffff:ffff' `
    -Description 'ldap-client-to-customer-ad: Search requests to the customer AD (お客さまADに検索要求). Seed: seed 004 table 1 「LDAP(389/TCP・UDP) LDAP SSL(636/TCP) LDAP GC(3268,3269/TCP) |」 row 「ファイル共有クライアント | お客さま ADサーバー | アクセス権設定時 | お客さまADに検索要求 | |」 (translation: file-sharing client -> customer AD server, at ACL setting, search request to the customer AD)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-ldap-client-to-customer-ad-udp-in' `
    -DisplayName 'ldap-client-to-customer-ad (udp 389) from file-share-client' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 389 `
    -RemoteAddress '10.99.1.0-10.99.1.9','10.99.1.11-10.99.1.24','10.99.1.26-10.99.1.52','10.99.1.54-10.99.1.199','10.99.1.201-10.99.1.255','fd00:99:1::/124','fd00:99:1::11-fd00:99:1:0:ffff:ffff:ffff:ffff' `
    -Description 'ldap-client-to-customer-ad: Search requests to the customer AD (お客さまADに検索要求). Seed: seed 004 table 1 「LDAP(389/TCP・UDP) LDAP SSL(636/TCP) LDAP GC(3268,3269/TCP) |」 row 「ファイル共有クライアント | お客さま ADサーバー | アクセス権設定時 | お客さまADに検索要求 | |」 (translation: file-sharing client -> customer AD server, at ACL setting, search request to the customer AD)' | Out-Null
  # rule trust-fs-dns (rulesets/kcps-file-server.yaml:648): DNS, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「53, 49152 -65535/TCP/UDP | 53/TCP/UDP | DNS | ||」 (translation: client ports 53 and 49152-65535/TCP/UDP -> server port 53/TCP/UDP, DNS)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-dns-tcp-in' `
    -DisplayName 'trust-fs-dns (tcp 53 from source ports 53, 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 53 `
    -RemotePort 53,49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-dns: DNS, for the trust and its secure channel. Seed: seed 004 table 2 row 「53, 49152 -65535/TCP/UDP | 53/TCP/UDP | DNS | ||」 (translation: client ports 53 and 49152-65535/TCP/UDP -> server port 53/TCP/UDP, DNS)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-dns-udp-in' `
    -DisplayName 'trust-fs-dns (udp 53 from source ports 53, 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 53 `
    -RemotePort 53,49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-dns: DNS, for the trust and its secure channel. Seed: seed 004 table 2 row 「53, 49152 -65535/TCP/UDP | 53/TCP/UDP | DNS | ||」 (translation: client ports 53 and 49152-65535/TCP/UDP -> server port 53/TCP/UDP, DNS)' | Out-Null
  # rule trust-fs-kerberos (rulesets/kcps-file-server.yaml:673): Kerberos, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 88/TCP/UDP | Kerberos | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 88/TCP/UDP, Kerberos)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-kerberos-tcp-in' `
    -DisplayName 'trust-fs-kerberos (tcp 88 from source ports 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 88 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-kerberos: Kerberos, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 88/TCP/UDP | Kerberos | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 88/TCP/UDP, Kerberos)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-kerberos-udp-in' `
    -DisplayName 'trust-fs-kerberos (udp 88 from source ports 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 88 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-kerberos: Kerberos, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 88/TCP/UDP | Kerberos | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 88/TCP/UDP, Kerberos)' | Out-Null
  # rule trust-fs-kerberos-pw (rulesets/kcps-file-server.yaml:498): Kerberos password change, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 464/TCP/UDP | Kerberos password change | ||」 (translation: client ports 49152-65535/TCP -> server port 464/TCP/UDP, Kerberos password change)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-kerberos-pw-tcp-in' `
    -DisplayName 'trust-fs-kerberos-pw (tcp 464 from source ports 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 464 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-kerberos-pw: Kerberos password change, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 464/TCP/UDP | Kerberos password change | ||」 (translation: client ports 49152-65535/TCP -> server port 464/TCP/UDP, Kerberos password change)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-kerberos-pw-udp-in' `
    -DisplayName 'trust-fs-kerberos-pw (udp 464 from source ports 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 464 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-kerberos-pw: Kerberos password change, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 464/TCP/UDP | Kerberos password change | ||」 (translation: client ports 49152-65535/TCP -> server port 464/TCP/UDP, Kerberos password change)' | Out-Null
  # rule trust-fs-ldap (rulesets/kcps-file-server.yaml:548): LDAP, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 389/TCP/UDP | LDAP | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 389/TCP/UDP, LDAP)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-ldap-tcp-in' `
    -DisplayName 'trust-fs-ldap (tcp 389 from source ports 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 389 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-ldap: LDAP, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 389/TCP/UDP | LDAP | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 389/TCP/UDP, LDAP)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-ldap-udp-in' `
    -DisplayName 'trust-fs-ldap (udp 389 from source ports 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 389 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-ldap: LDAP, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 389/TCP/UDP | LDAP | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 389/TCP/UDP, LDAP)' | Out-Null
  # rule trust-fs-ldap-gc (rulesets/kcps-file-server.yaml:598): LDAP global catalog, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 3268/TCP | LDAP GC | ||」 (translation: client ports 49152-65535/TCP -> server port 3268/TCP, LDAP GC)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-ldap-gc-tcp-in' `
    -DisplayName 'trust-fs-ldap-gc (tcp 3268 from source ports 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 3268 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-ldap-gc: LDAP global catalog, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 3268/TCP | LDAP GC | ||」 (translation: client ports 49152-65535/TCP -> server port 3268/TCP, LDAP GC)' | Out-Null
  # rule trust-fs-ldap-gc-ssl (rulesets/kcps-file-server.yaml:623): LDAP global catalog over SSL, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 3269/TCP | LDAP GC SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 3269/TCP, LDAP GC SSL)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-ldap-gc-ssl-tcp-in' `
    -DisplayName 'trust-fs-ldap-gc-ssl (tcp 3269 from source ports 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 3269 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-ldap-gc-ssl: LDAP global catalog over SSL, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 3269/TCP | LDAP GC SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 3269/TCP, LDAP GC SSL)' | Out-Null
  # rule trust-fs-ldaps (rulesets/kcps-file-server.yaml:573): LDAP over SSL, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 636/TCP | LDAP SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 636/TCP, LDAP SSL)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-ldaps-tcp-in' `
    -DisplayName 'trust-fs-ldaps (tcp 636 from source ports 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 636 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-ldaps: LDAP over SSL, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 636/TCP | LDAP SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 636/TCP, LDAP SSL)' | Out-Null
  # rule trust-fs-rpc-dynamic (rulesets/kcps-file-server.yaml:523): RPC for LSA, SAM and Netlogon, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 49152-65535/TCP | RPC for LSA, SAM, Netlogon | ||」 (translation: client ports 49152-65535/TCP -> server ports 49152-65535/TCP, RPC for LSA, SAM, Netlogon)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-rpc-dynamic-tcp-in' `
    -DisplayName 'trust-fs-rpc-dynamic (tcp 49152-65535 from source ports 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 49152-65535 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-rpc-dynamic: RPC for LSA, SAM and Netlogon, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 49152-65535/TCP | RPC for LSA, SAM, Netlogon | ||」 (translation: client ports 49152-65535/TCP -> server ports 49152-65535/TCP, RPC for LSA, SAM, Netlogon)' | Out-Null
  # rule trust-fs-rpc-epmap (rulesets/kcps-file-server.yaml:470): RPC endpoint mapper, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 135/TCP | RPC Endpoint Mapper | ||」 (translation: client ports 49152-65535/TCP -> server port 135/TCP, RPC Endpoint Mapper)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-rpc-epmap-tcp-in' `
    -DisplayName 'trust-fs-rpc-epmap (tcp 135 from source ports 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 135 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-rpc-epmap: RPC endpoint mapper, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 135/TCP | RPC Endpoint Mapper | ||」 (translation: client ports 49152-65535/TCP -> server port 135/TCP, RPC Endpoint Mapper)' | Out-Null
  # rule trust-fs-smb (rulesets/kcps-file-server.yaml:697): SMB, only while the trust is being built (信頼関係構築時のみ).
  #   seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 445/TCP | SMB (信頼関係構築時のみ) |」 (translation: client ports 49152-65535/TCP/UDP -> server port 445/TCP, SMB, only while building the trust)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-smb-tcp-in' `
    -DisplayName 'trust-fs-smb (tcp 445 from source ports 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 445 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-smb: SMB, only while the trust is being built (信頼関係構築時のみ). Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 445/TCP | SMB (信頼関係構築時のみ) |」 (translation: client ports 49152-65535/TCP/UDP -> server port 445/TCP, SMB, only while building the trust)' | Out-Null
  # rule trust-fs-w32time (rulesets/kcps-file-server.yaml:445): W32Time (time synchronisation), for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/UDP | 123/UDP | W32Time | ||」 (translation: client ports 49152-65535/UDP -> server port 123/UDP, W32Time)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-w32time-udp-in' `
    -DisplayName 'trust-fs-w32time (udp 123 from source ports 49152-65535) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 123 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'trust-fs-w32time: W32Time (time synchronisation), for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/UDP | 123/UDP | W32Time | ||」 (translation: client ports 49152-65535/UDP -> server port 123/UDP, W32Time)' | Out-Null
  # rule icmp-kcps-fs-ad-to-customer-ad (rulesets/kcps-file-server.yaml:246): IP reachability check (IP到達確認).
  #   seed: seed 004 table 1 row 「ICMP | KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | IP到達確認 |」 (translation: ICMP, KCPS-FS(AD) -> customer AD server, at trust establishment, IP reachability check)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-icmp-kcps-fs-ad-to-customer-ad-icmpv4-in' `
    -DisplayName 'icmp-kcps-fs-ad-to-customer-ad (icmp types 0-255) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol ICMPv4 `
    -RemoteAddress '10.99.2.20' `
    -Description 'icmp-kcps-fs-ad-to-customer-ad: IP reachability check (IP到達確認). Seed: seed 004 table 1 row 「ICMP | KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | IP到達確認 |」 (translation: ICMP, KCPS-FS(AD) -> customer AD server, at trust establishment, IP reachability check)' | Out-Null
  # rule kerberos-kcps-fs-ad-to-customer-ad (rulesets/kcps-file-server.yaml:368): Authentication requests; trust creation (認証要求/信頼関係作成処理).
  #   seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | 認証要求/信頼関係作成処理 |」 (translation: KCPS-FS(AD) -> customer AD server, at trust establishment, authentication request / trust creation)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-kerberos-kcps-fs-ad-to-customer-ad-tcp-in' `
    -DisplayName 'kerberos-kcps-fs-ad-to-customer-ad (tcp 88, 464) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 88,464 `
    -RemoteAddress '10.99.2.20' `
    -Description 'kerberos-kcps-fs-ad-to-customer-ad: Authentication requests; trust creation (認証要求/信頼関係作成処理). Seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | 認証要求/信頼関係作成処理 |」 (translation: KCPS-FS(AD) -> customer AD server, at trust establishment, authentication request / trust creation)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-kerberos-kcps-fs-ad-to-customer-ad-udp-in' `
    -DisplayName 'kerberos-kcps-fs-ad-to-customer-ad (udp 88, 464) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 88,464 `
    -RemoteAddress '10.99.2.20' `
    -Description 'kerberos-kcps-fs-ad-to-customer-ad: Authentication requests; trust creation (認証要求/信頼関係作成処理). Seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | 認証要求/信頼関係作成処理 |」 (translation: KCPS-FS(AD) -> customer AD server, at trust establishment, authentication request / trust creation)' | Out-Null
  # rule rpc-kcps-fs-ad-to-customer-ad (rulesets/kcps-file-server.yaml:290): Trust creation (trust establishment); authentication requests (browsing).
  #   seed: seed 004 table 1 「RPC (49152~49251,49252 ~ 65535,135,593/TCP) |」 rows 「KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | 信頼関係作成処理 |」 and 「KCPS-FSブラウジング時 | 認証要求 | |||」 (translation: KCPS-FS(AD) -> customer AD server, at trust establishment: trust creation; when browsing KCPS-FS: authentication request)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-rpc-kcps-fs-ad-to-customer-ad-tcp-in' `
    -DisplayName 'rpc-kcps-fs-ad-to-customer-ad (tcp 135, 593, 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 135,593,49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'rpc-kcps-fs-ad-to-customer-ad: Trust creation (trust establishment); authentication requests (browsing). Seed: seed 004 table 1 「RPC (49152~49251,49252 ~ 65535,135,593/TCP) |」 rows 「KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | 信頼関係作成処理 |」 and 「KCPS-FSブラウジング時 | 認証要求 | |||」 (translation: KCPS-FS(AD) -> customer AD server, at trust establishment: trust creation; when browsing KCPS-FS: authentication request)' | Out-Null
  # rule smb-kcps-fs-ad-to-customer-ad (rulesets/kcps-file-server.yaml:264): Authentication requests; trust creation (認証要求/信頼関係作成処理).
  #   seed: seed 004 table 1 「SMB (445/TCP) |」 row 「KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | 認証要求/信頼関係作成処理 |」 (translation: KCPS-FS(AD) -> customer AD server, at trust establishment, authentication request / trust creation)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-smb-kcps-fs-ad-to-customer-ad-tcp-in' `
    -DisplayName 'smb-kcps-fs-ad-to-customer-ad (tcp 445) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 445 `
    -RemoteAddress '10.99.2.20' `
    -Description 'smb-kcps-fs-ad-to-customer-ad: Authentication requests; trust creation (認証要求/信頼関係作成処理). Seed: seed 004 table 1 「SMB (445/TCP) |」 row 「KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | 認証要求/信頼関係作成処理 |」 (translation: KCPS-FS(AD) -> customer AD server, at trust establishment, authentication request / trust creation)' | Out-Null
  # rule trust-dns [INFERRED] (rulesets/kcps-file-server.yaml:634): DNS, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「53, 49152 -65535/TCP/UDP | 53/TCP/UDP | DNS | ||」 (translation: client ports 53 and 49152-65535/TCP/UDP -> server port 53/TCP/UDP, DNS)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-dns-tcp-in' `
    -DisplayName 'trust-dns (tcp 53 from source ports 53, 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 53 `
    -RemotePort 53,49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-dns: DNS, for the trust and its secure channel. Seed: seed 004 table 2 row 「53, 49152 -65535/TCP/UDP | 53/TCP/UDP | DNS | ||」 (translation: client ports 53 and 49152-65535/TCP/UDP -> server port 53/TCP/UDP, DNS) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-dns-udp-in' `
    -DisplayName 'trust-dns (udp 53 from source ports 53, 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 53 `
    -RemotePort 53,49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-dns: DNS, for the trust and its secure channel. Seed: seed 004 table 2 row 「53, 49152 -65535/TCP/UDP | 53/TCP/UDP | DNS | ||」 (translation: client ports 53 and 49152-65535/TCP/UDP -> server port 53/TCP/UDP, DNS) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-kerberos [INFERRED] (rulesets/kcps-file-server.yaml:659): Kerberos, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 88/TCP/UDP | Kerberos | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 88/TCP/UDP, Kerberos)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-kerberos-tcp-in' `
    -DisplayName 'trust-kerberos (tcp 88 from source ports 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 88 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-kerberos: Kerberos, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 88/TCP/UDP | Kerberos | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 88/TCP/UDP, Kerberos) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-kerberos-udp-in' `
    -DisplayName 'trust-kerberos (udp 88 from source ports 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 88 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-kerberos: Kerberos, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 88/TCP/UDP | Kerberos | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 88/TCP/UDP, Kerberos) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-kerberos-pw [INFERRED] (rulesets/kcps-file-server.yaml:481): Kerberos password change, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 464/TCP/UDP | Kerberos password change | ||」 (translation: client ports 49152-65535/TCP -> server port 464/TCP/UDP, Kerberos password change)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-kerberos-pw-tcp-in' `
    -DisplayName 'trust-kerberos-pw (tcp 464 from source ports 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 464 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-kerberos-pw: Kerberos password change, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 464/TCP/UDP | Kerberos password change | ||」 (translation: client ports 49152-65535/TCP -> server port 464/TCP/UDP, Kerberos password change) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-kerberos-pw-udp-in' `
    -DisplayName 'trust-kerberos-pw (udp 464 from source ports 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 464 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-kerberos-pw: Kerberos password change, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 464/TCP/UDP | Kerberos password change | ||」 (translation: client ports 49152-65535/TCP -> server port 464/TCP/UDP, Kerberos password change) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-ldap [INFERRED] (rulesets/kcps-file-server.yaml:534): LDAP, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 389/TCP/UDP | LDAP | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 389/TCP/UDP, LDAP)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-ldap-tcp-in' `
    -DisplayName 'trust-ldap (tcp 389 from source ports 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 389 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-ldap: LDAP, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 389/TCP/UDP | LDAP | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 389/TCP/UDP, LDAP) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-ldap-udp-in' `
    -DisplayName 'trust-ldap (udp 389 from source ports 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 389 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-ldap: LDAP, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 389/TCP/UDP | LDAP | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 389/TCP/UDP, LDAP) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-ldap-gc [INFERRED] (rulesets/kcps-file-server.yaml:584): LDAP global catalog, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 3268/TCP | LDAP GC | ||」 (translation: client ports 49152-65535/TCP -> server port 3268/TCP, LDAP GC)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-ldap-gc-tcp-in' `
    -DisplayName 'trust-ldap-gc (tcp 3268 from source ports 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 3268 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-ldap-gc: LDAP global catalog, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 3268/TCP | LDAP GC | ||」 (translation: client ports 49152-65535/TCP -> server port 3268/TCP, LDAP GC) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-ldap-gc-ssl [INFERRED] (rulesets/kcps-file-server.yaml:609): LDAP global catalog over SSL, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 3269/TCP | LDAP GC SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 3269/TCP, LDAP GC SSL)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-ldap-gc-ssl-tcp-in' `
    -DisplayName 'trust-ldap-gc-ssl (tcp 3269 from source ports 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 3269 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-ldap-gc-ssl: LDAP global catalog over SSL, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 3269/TCP | LDAP GC SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 3269/TCP, LDAP GC SSL) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-ldaps [INFERRED] (rulesets/kcps-file-server.yaml:559): LDAP over SSL, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 636/TCP | LDAP SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 636/TCP, LDAP SSL)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-ldaps-tcp-in' `
    -DisplayName 'trust-ldaps (tcp 636 from source ports 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 636 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-ldaps: LDAP over SSL, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 636/TCP | LDAP SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 636/TCP, LDAP SSL) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-rpc-dynamic [INFERRED] (rulesets/kcps-file-server.yaml:509): RPC for LSA, SAM and Netlogon, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 49152-65535/TCP | RPC for LSA, SAM, Netlogon | ||」 (translation: client ports 49152-65535/TCP -> server ports 49152-65535/TCP, RPC for LSA, SAM, Netlogon)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-rpc-dynamic-tcp-in' `
    -DisplayName 'trust-rpc-dynamic (tcp 49152-65535 from source ports 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 49152-65535 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-rpc-dynamic: RPC for LSA, SAM and Netlogon, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 49152-65535/TCP | RPC for LSA, SAM, Netlogon | ||」 (translation: client ports 49152-65535/TCP -> server ports 49152-65535/TCP, RPC for LSA, SAM, Netlogon) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-rpc-epmap [INFERRED] (rulesets/kcps-file-server.yaml:456): RPC endpoint mapper, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 135/TCP | RPC Endpoint Mapper | ||」 (translation: client ports 49152-65535/TCP -> server port 135/TCP, RPC Endpoint Mapper)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-rpc-epmap-tcp-in' `
    -DisplayName 'trust-rpc-epmap (tcp 135 from source ports 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 135 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-rpc-epmap: RPC endpoint mapper, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 135/TCP | RPC Endpoint Mapper | ||」 (translation: client ports 49152-65535/TCP -> server port 135/TCP, RPC Endpoint Mapper) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-smb [INFERRED] (rulesets/kcps-file-server.yaml:684): SMB, only while the trust is being built (信頼関係構築時のみ).
  #   seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 445/TCP | SMB (信頼関係構築時のみ) |」 (translation: client ports 49152-65535/TCP/UDP -> server port 445/TCP, SMB, only while building the trust)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-smb-tcp-in' `
    -DisplayName 'trust-smb (tcp 445 from source ports 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 445 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-smb: SMB, only while the trust is being built (信頼関係構築時のみ). Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 445/TCP | SMB (信頼関係構築時のみ) |」 (translation: client ports 49152-65535/TCP/UDP -> server port 445/TCP, SMB, only while building the trust) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-w32time [INFERRED] (rulesets/kcps-file-server.yaml:422): W32Time (time synchronisation), for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/UDP | 123/UDP | W32Time | ||」 (translation: client ports 49152-65535/UDP -> server port 123/UDP, W32Time)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-w32time-udp-in' `
    -DisplayName 'trust-w32time (udp 123 from source ports 49152-65535) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 123 `
    -RemotePort 49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'trust-w32time: W32Time (time synchronisation), for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/UDP | 123/UDP | W32Time | ||」 (translation: client ports 49152-65535/UDP -> server port 123/UDP, W32Time) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule kerberos-customer-ad-to-kcps-fs-ad (rulesets/kcps-file-server.yaml:376): Trust creation (信頼関係作成処理).
  #   seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「お客さま ADサーバー | KCPS-FS(AD) | 信頼関係確立時 | 信頼関係作成処理 | |」 (translation: customer AD server -> KCPS-FS(AD), at trust establishment, trust creation)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-kerberos-customer-ad-to-kcps-fs-ad-tcp-out' `
    -DisplayName 'kerberos-customer-ad-to-kcps-fs-ad (tcp 88, 464) to kcps-fs-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 88,464 `
    -RemoteAddress '10.99.2.20' `
    -Description 'kerberos-customer-ad-to-kcps-fs-ad: Trust creation (信頼関係作成処理). Seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「お客さま ADサーバー | KCPS-FS(AD) | 信頼関係確立時 | 信頼関係作成処理 | |」 (translation: customer AD server -> KCPS-FS(AD), at trust establishment, trust creation)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-kerberos-customer-ad-to-kcps-fs-ad-udp-out' `
    -DisplayName 'kerberos-customer-ad-to-kcps-fs-ad (udp 88, 464) to kcps-fs-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 88,464 `
    -RemoteAddress '10.99.2.20' `
    -Description 'kerberos-customer-ad-to-kcps-fs-ad: Trust creation (信頼関係作成処理). Seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「お客さま ADサーバー | KCPS-FS(AD) | 信頼関係確立時 | 信頼関係作成処理 | |」 (translation: customer AD server -> KCPS-FS(AD), at trust establishment, trust creation)' | Out-Null
  # rule rpc-customer-ad-to-kcps-fs-ad (rulesets/kcps-file-server.yaml:298): Trust creation (信頼関係作成処理).
  #   seed: seed 004 table 1 「RPC (49152~49251,49252 ~ 65535,135,593/TCP) |」 row 「お客さま ADサーバー | KCPS-FS(AD) | 信頼関係確立時 | 信頼関係作成処理 | |」 (translation: customer AD server -> KCPS-FS(AD), at trust establishment, trust creation)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-rpc-customer-ad-to-kcps-fs-ad-tcp-out' `
    -DisplayName 'rpc-customer-ad-to-kcps-fs-ad (tcp 135, 593, 49152-65535) to kcps-fs-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 135,593,49152-65535 `
    -RemoteAddress '10.99.2.20' `
    -Description 'rpc-customer-ad-to-kcps-fs-ad: Trust creation (信頼関係作成処理). Seed: seed 004 table 1 「RPC (49152~49251,49252 ~ 65535,135,593/TCP) |」 row 「お客さま ADサーバー | KCPS-FS(AD) | 信頼関係確立時 | 信頼関係作成処理 | |」 (translation: customer AD server -> KCPS-FS(AD), at trust establishment, trust creation)' | Out-Null
  # rule smb-customer-ad-to-kcps-fs-ad (rulesets/kcps-file-server.yaml:272): Trust creation (信頼関係作成処理).
  #   seed: seed 004 table 1 「SMB (445/TCP) |」 row 「お客さま ADサーバー | KCPS-FS(AD) | 信頼関係確立時 | 信頼関係作成処理 | |」 (translation: customer AD server -> KCPS-FS(AD), at trust establishment, trust creation)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-smb-customer-ad-to-kcps-fs-ad-tcp-out' `
    -DisplayName 'smb-customer-ad-to-kcps-fs-ad (tcp 445) to kcps-fs-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 445 `
    -RemoteAddress '10.99.2.20' `
    -Description 'smb-customer-ad-to-kcps-fs-ad: Trust creation (信頼関係作成処理). Seed: seed 004 table 1 「SMB (445/TCP) |」 row 「お客さま ADサーバー | KCPS-FS(AD) | 信頼関係確立時 | 信頼関係作成処理 | |」 (translation: customer AD server -> KCPS-FS(AD), at trust establishment, trust creation)' | Out-Null
}

# ==== role customer-admin-pc: Customer management PC
if ($Role -contains 'customer-admin-pc') {
  # rule rdp-admin-pc-to-kcps-fs (rulesets/kcps-file-server.yaml:344): Remote desktop connection (リモートデスクトップ接続), to create the trust and to set capacity limits.
  #   seed: seed 004 table 1 「RDP (3389/TCP) |」 rows 「お客さま管理用PC | KCPS-FS | 信頼関係確立時 | リモートデスクトップ接続 |」 and 「容量上限設定時 | ||||」 (translation: customer management PC -> KCPS-FS, at trust establishment and at capacity limit setting, remote desktop connection)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-rdp-admin-pc-to-kcps-fs-tcp-out' `
    -DisplayName 'rdp-admin-pc-to-kcps-fs (tcp 3389) to kcps-fs' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 3389 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'rdp-admin-pc-to-kcps-fs: Remote desktop connection (リモートデスクトップ接続), to create the trust and to set capacity limits. Seed: seed 004 table 1 「RDP (3389/TCP) |」 rows 「お客さま管理用PC | KCPS-FS | 信頼関係確立時 | リモートデスクトップ接続 |」 and 「容量上限設定時 | ||||」 (translation: customer management PC -> KCPS-FS, at trust establishment and at capacity limit setting, remote desktop connection)' | Out-Null
  # rule winrm-admin-pc-to-kcps-fs (rulesets/kcps-file-server.yaml:394): Remote operation (リモート操作).
  #   seed: seed 004 table 1 「WinRM (5985,5986/TCP) |」 row 「お客さま管理用PC | KCPS-FS | リモート操作時 | リモート操作 |」 (translation: customer management PC -> KCPS-FS, at remote operation, remote operation)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-winrm-admin-pc-to-kcps-fs-tcp-out' `
    -DisplayName 'winrm-admin-pc-to-kcps-fs (tcp 5985-5986) to kcps-fs' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 5985-5986 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'winrm-admin-pc-to-kcps-fs: Remote operation (リモート操作). Seed: seed 004 table 1 「WinRM (5985,5986/TCP) |」 row 「お客さま管理用PC | KCPS-FS | リモート操作時 | リモート操作 |」 (translation: customer management PC -> KCPS-FS, at remote operation, remote operation)' | Out-Null
  # rule rdp-admin-pc-to-kcps-fs-ad [INFERRED] (rulesets/kcps-file-server.yaml:352): Remote desktop connection to the KDDI file server (AD), where the customer creates the trust.
  #   seed: seed 004 sequence note, trust creation: 「信頼関係作成処理は、リモートデスクトップを利用しKDDIファイルサーバ(AD)で実施していただきます。」 (translation: the trust creation is done by the customer on the KDDI file server (AD) using remote desktop)
  #   inferred, not stated by the document: The sequence note names the KDDI file server (AD) as where remote desktop is used to create the trust, while table 1's RDP row names KCPS-FS; both are accepted. The note does not say where the connection comes from: the customer management PC is taken from table 1's RDP row, and the port from its 「RDP (3389/TCP) |」 group.
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-rdp-admin-pc-to-kcps-fs-ad-tcp-out' `
    -DisplayName 'rdp-admin-pc-to-kcps-fs-ad (tcp 3389) to kcps-fs-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 3389 `
    -RemoteAddress '10.99.2.20' `
    -Description 'rdp-admin-pc-to-kcps-fs-ad: Remote desktop connection to the KDDI file server (AD), where the customer creates the trust. Seed: seed 004 sequence note, trust creation: 「信頼関係作成処理は、リモートデスクトップを利用しKDDIファイルサーバ(AD)で実施していただきます。」 (translation: the trust creation is done by the customer on the KDDI file server (AD) using remote desktop) INFERRED: The sequence note names the KDDI file server (AD) as where remote desktop is used to create the trust, while table 1''s RDP row names KCPS-FS; both are accepted. The note does not say where the connection comes from: the customer management PC is taken from table 1''s RDP row, and the port from its 「RDP (3389/TCP) |」 group.' | Out-Null
}

# ==== role customer-dns: Customer DNS server
if ($Role -contains 'customer-dns') {
  # rule dns-client-to-customer-dns (rulesets/kcps-file-server.yaml:228): Resolve the KDDI domain name and the customer AD (ACL setting); resolve the KCPS file server (browsing).
  #   seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 rows 「ファイル共有クライアント | お客さま DNSサーバー | アクセス権設定時 | KDDIドメイン名/お客さまAD名前解決 | |」 and 「KCPS-FSブラウジング時 | KCPS-FS名前解決 | |||」 (translation: file-sharing client -> customer DNS server, at ACL setting: KDDI domain name / customer AD name resolution; when browsing: KCPS-FS name resolution)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-client-to-customer-dns-tcp-in' `
    -DisplayName 'dns-client-to-customer-dns (tcp 53) from file-share-client' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 53 `
    -RemoteAddress '10.99.1.0-10.99.1.9','10.99.1.11-10.99.1.24','10.99.1.26-10.99.1.52','10.99.1.54-10.99.1.199','10.99.1.201-10.99.1.255','fd00:99:1::/124','fd00:99:1::11-fd00:99:1:0:ffff:ffff:ffff:ffff' `
    -Description 'dns-client-to-customer-dns: Resolve the KDDI domain name and the customer AD (ACL setting); resolve the KCPS file server (browsing). Seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 rows 「ファイル共有クライアント | お客さま DNSサーバー | アクセス権設定時 | KDDIドメイン名/お客さまAD名前解決 | |」 and 「KCPS-FSブラウジング時 | KCPS-FS名前解決 | |||」 (translation: file-sharing client -> customer DNS server, at ACL setting: KDDI domain name / customer AD name resolution; when browsing: KCPS-FS name resolution)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-client-to-customer-dns-udp-in' `
    -DisplayName 'dns-client-to-customer-dns (udp 53) from file-share-client' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 53 `
    -RemoteAddress '10.99.1.0-10.99.1.9','10.99.1.11-10.99.1.24','10.99.1.26-10.99.1.52','10.99.1.54-10.99.1.199','10.99.1.201-10.99.1.255','fd00:99:1::/124','fd00:99:1::11-fd00:99:1:0:ffff:ffff:ffff:ffff' `
    -Description 'dns-client-to-customer-dns: Resolve the KDDI domain name and the customer AD (ACL setting); resolve the KCPS file server (browsing). Seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 rows 「ファイル共有クライアント | お客さま DNSサーバー | アクセス権設定時 | KDDIドメイン名/お客さまAD名前解決 | |」 and 「KCPS-FSブラウジング時 | KCPS-FS名前解決 | |||」 (translation: file-sharing client -> customer DNS server, at ACL setting: KDDI domain name / customer AD name resolution; when browsing: KCPS-FS name resolution)' | Out-Null
  # rule dns-kcps-fs-ad-to-customer-dns (rulesets/kcps-file-server.yaml:215): The KDDI AD resolves the customer AD through the customer DNS, to create the trust.
  #   seed: seed 004 sequence note, trust creation: 「お客さまDNSにてKDDI ADから、お客さまADの名前解決が可能である必要があります。」 (translation: at the customer DNS, the KDDI AD must be able to resolve the customer AD)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-kcps-fs-ad-to-customer-dns-tcp-in' `
    -DisplayName 'dns-kcps-fs-ad-to-customer-dns (tcp 53) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 53 `
    -RemoteAddress '10.99.2.20' `
    -Description 'dns-kcps-fs-ad-to-customer-dns: The KDDI AD resolves the customer AD through the customer DNS, to create the trust. Seed: seed 004 sequence note, trust creation: 「お客さまDNSにてKDDI ADから、お客さまADの名前解決が可能である必要があります。」 (translation: at the customer DNS, the KDDI AD must be able to resolve the customer AD)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-kcps-fs-ad-to-customer-dns-udp-in' `
    -DisplayName 'dns-kcps-fs-ad-to-customer-dns (udp 53) from kcps-fs-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 53 `
    -RemoteAddress '10.99.2.20' `
    -Description 'dns-kcps-fs-ad-to-customer-dns: The KDDI AD resolves the customer AD through the customer DNS, to create the trust. Seed: seed 004 sequence note, trust creation: 「お客さまDNSにてKDDI ADから、お客さまADの名前解決が可能である必要があります。」 (translation: at the customer DNS, the KDDI AD must be able to resolve the customer AD)' | Out-Null
  # rule dns-kcps-fs-dns-to-customer-dns (rulesets/kcps-file-server.yaml:207): Resolve the customer AD (お客さまAD名前解決).
  #   seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 rows 「KCPS-FS(DNS) | お客さま DNSサーバー | 信頼関係確立時 | お客さまAD名前解決 |」 and 「KCPS-FSブラウジング時 | ||||」 (translation: KCPS-FS(DNS) -> customer DNS server, at trust establishment and when browsing KCPS-FS, customer AD name resolution)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-kcps-fs-dns-to-customer-dns-tcp-in' `
    -DisplayName 'dns-kcps-fs-dns-to-customer-dns (tcp 53) from kcps-fs-dns' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 53 `
    -RemoteAddress '10.99.2.53' `
    -Description 'dns-kcps-fs-dns-to-customer-dns: Resolve the customer AD (お客さまAD名前解決). Seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 rows 「KCPS-FS(DNS) | お客さま DNSサーバー | 信頼関係確立時 | お客さまAD名前解決 |」 and 「KCPS-FSブラウジング時 | ||||」 (translation: KCPS-FS(DNS) -> customer DNS server, at trust establishment and when browsing KCPS-FS, customer AD name resolution)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-kcps-fs-dns-to-customer-dns-udp-in' `
    -DisplayName 'dns-kcps-fs-dns-to-customer-dns (udp 53) from kcps-fs-dns' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 53 `
    -RemoteAddress '10.99.2.53' `
    -Description 'dns-kcps-fs-dns-to-customer-dns: Resolve the customer AD (お客さまAD名前解決). Seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 rows 「KCPS-FS(DNS) | お客さま DNSサーバー | 信頼関係確立時 | お客さまAD名前解決 |」 and 「KCPS-FSブラウジング時 | ||||」 (translation: KCPS-FS(DNS) -> customer DNS server, at trust establishment and when browsing KCPS-FS, customer AD name resolution)' | Out-Null
  # rule dns-customer-dns-to-kcps-fs-dns (rulesets/kcps-file-server.yaml:236): Resolve the KDDI (provider) AD through the conditional forwarder (KDDI AD名前解決).
  #   seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 row 「お客さま DNSサーバー | KCPS-FS(DNS) | アクセス権設定時 | KDDI AD名前解決 | |」 (translation: customer DNS server -> KCPS-FS(DNS), at ACL setting, KDDI AD name resolution)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-customer-dns-to-kcps-fs-dns-tcp-out' `
    -DisplayName 'dns-customer-dns-to-kcps-fs-dns (tcp 53) to kcps-fs-dns' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 53 `
    -RemoteAddress '10.99.2.53' `
    -Description 'dns-customer-dns-to-kcps-fs-dns: Resolve the KDDI (provider) AD through the conditional forwarder (KDDI AD名前解決). Seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 row 「お客さま DNSサーバー | KCPS-FS(DNS) | アクセス権設定時 | KDDI AD名前解決 | |」 (translation: customer DNS server -> KCPS-FS(DNS), at ACL setting, KDDI AD name resolution)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-customer-dns-to-kcps-fs-dns-udp-out' `
    -DisplayName 'dns-customer-dns-to-kcps-fs-dns (udp 53) to kcps-fs-dns' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 53 `
    -RemoteAddress '10.99.2.53' `
    -Description 'dns-customer-dns-to-kcps-fs-dns: Resolve the KDDI (provider) AD through the conditional forwarder (KDDI AD名前解決). Seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 row 「お客さま DNSサーバー | KCPS-FS(DNS) | アクセス権設定時 | KDDI AD名前解決 | |」 (translation: customer DNS server -> KCPS-FS(DNS), at ACL setting, KDDI AD name resolution)' | Out-Null
}

# ==== role customer-mail: Customer mail server
if ($Role -contains 'customer-mail') {
  # rule smtp-kcps-fs-to-customer-mail [conditional] (rulesets/kcps-file-server.yaml:404): FSRM notification mail to the customer's mail server (25 or 587, whichever the mail server accepts).
  #   seed: seed 004 note under table 1: 「※ FSRMでメール通知機能をご利用のお客さまは「SMTP(25 or 587/TCP)KCPS-FS⇒お客さまメールサーバー」も開放する必要があります。」 (translation: customers using FSRM mail notification must also open SMTP 25 or 587/TCP from KCPS-FS to the customer mail server)
  #   conditional: FSRM mail notification in use (FSRMでメール通知機能をご利用のお客さま)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-smtp-kcps-fs-to-customer-mail-tcp-in' `
    -DisplayName 'smtp-kcps-fs-to-customer-mail (tcp 25, 587) from kcps-fs' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 25,587 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'smtp-kcps-fs-to-customer-mail: FSRM notification mail to the customer''s mail server (25 or 587, whichever the mail server accepts). Seed: seed 004 note under table 1: 「※ FSRMでメール通知機能をご利用のお客さまは「SMTP(25 or 587/TCP)KCPS-FS⇒お客さまメールサーバー」も開放する必要があります。」 (translation: customers using FSRM mail notification must also open SMTP 25 or 587/TCP from KCPS-FS to the customer mail server)' | Out-Null
}

# ==== role file-share-client: File-sharing client
if ($Role -contains 'file-share-client') {
  # rule ldap-client-to-customer-ad (rulesets/kcps-file-server.yaml:324): Search requests to the customer AD (お客さまADに検索要求).
  #   seed: seed 004 table 1 「LDAP(389/TCP・UDP) LDAP SSL(636/TCP) LDAP GC(3268,3269/TCP) |」 row 「ファイル共有クライアント | お客さま ADサーバー | アクセス権設定時 | お客さまADに検索要求 | |」 (translation: file-sharing client -> customer AD server, at ACL setting, search request to the customer AD)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-ldap-client-to-customer-ad-tcp-out' `
    -DisplayName 'ldap-client-to-customer-ad (tcp 389, 636, 3268-3269) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 389,636,3268-3269 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'ldap-client-to-customer-ad: Search requests to the customer AD (お客さまADに検索要求). Seed: seed 004 table 1 「LDAP(389/TCP・UDP) LDAP SSL(636/TCP) LDAP GC(3268,3269/TCP) |」 row 「ファイル共有クライアント | お客さま ADサーバー | アクセス権設定時 | お客さまADに検索要求 | |」 (translation: file-sharing client -> customer AD server, at ACL setting, search request to the customer AD)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-ldap-client-to-customer-ad-udp-out' `
    -DisplayName 'ldap-client-to-customer-ad (udp 389) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 389 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'ldap-client-to-customer-ad: Search requests to the customer AD (お客さまADに検索要求). Seed: seed 004 table 1 「LDAP(389/TCP・UDP) LDAP SSL(636/TCP) LDAP GC(3268,3269/TCP) |」 row 「ファイル共有クライアント | お客さま ADサーバー | アクセス権設定時 | お客さまADに検索要求 | |」 (translation: file-sharing client -> customer AD server, at ACL setting, search request to the customer AD)' | Out-Null
  # rule dns-client-to-customer-dns (rulesets/kcps-file-server.yaml:228): Resolve the KDDI domain name and the customer AD (ACL setting); resolve the KCPS file server (browsing).
  #   seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 rows 「ファイル共有クライアント | お客さま DNSサーバー | アクセス権設定時 | KDDIドメイン名/お客さまAD名前解決 | |」 and 「KCPS-FSブラウジング時 | KCPS-FS名前解決 | |||」 (translation: file-sharing client -> customer DNS server, at ACL setting: KDDI domain name / customer AD name resolution; when browsing: KCPS-FS name resolution)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-client-to-customer-dns-tcp-out' `
    -DisplayName 'dns-client-to-customer-dns (tcp 53) to customer-dns' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 53 `
    -RemoteAddress '10.99.1.53' `
    -Description 'dns-client-to-customer-dns: Resolve the KDDI domain name and the customer AD (ACL setting); resolve the KCPS file server (browsing). Seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 rows 「ファイル共有クライアント | お客さま DNSサーバー | アクセス権設定時 | KDDIドメイン名/お客さまAD名前解決 | |」 and 「KCPS-FSブラウジング時 | KCPS-FS名前解決 | |||」 (translation: file-sharing client -> customer DNS server, at ACL setting: KDDI domain name / customer AD name resolution; when browsing: KCPS-FS name resolution)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-client-to-customer-dns-udp-out' `
    -DisplayName 'dns-client-to-customer-dns (udp 53) to customer-dns' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 53 `
    -RemoteAddress '10.99.1.53' `
    -Description 'dns-client-to-customer-dns: Resolve the KDDI domain name and the customer AD (ACL setting); resolve the KCPS file server (browsing). Seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 rows 「ファイル共有クライアント | お客さま DNSサーバー | アクセス権設定時 | KDDIドメイン名/お客さまAD名前解決 | |」 and 「KCPS-FSブラウジング時 | KCPS-FS名前解決 | |||」 (translation: file-sharing client -> customer DNS server, at ACL setting: KDDI domain name / customer AD name resolution; when browsing: KCPS-FS name resolution)' | Out-Null
  # rule icmp-client-to-kcps-fs (rulesets/kcps-file-server.yaml:254): IP reachability check (IP到達確認).
  #   seed: seed 004 table 1 「ICMP」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | ||」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-icmp-client-to-kcps-fs-icmpv4-out' `
    -DisplayName 'icmp-client-to-kcps-fs (icmp types 0-255) to kcps-fs' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol ICMPv4 `
    -RemoteAddress '10.99.2.10' `
    -Description 'icmp-client-to-kcps-fs: IP reachability check (IP到達確認). Seed: seed 004 table 1 「ICMP」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | ||」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-icmp-client-to-kcps-fs-icmpv6-out' `
    -DisplayName 'icmp-client-to-kcps-fs (icmpv6 types 0-255) to kcps-fs' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol ICMPv6 `
    -RemoteAddress 'fd00:99:2::10' `
    -Description 'icmp-client-to-kcps-fs: IP reachability check (IP到達確認). Seed: seed 004 table 1 「ICMP」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | ||」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS)' | Out-Null
  # rule kerberos-client-to-kcps-fs (rulesets/kcps-file-server.yaml:384): Authentication requests (認証要求).
  #   seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 | |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-kerberos-client-to-kcps-fs-tcp-out' `
    -DisplayName 'kerberos-client-to-kcps-fs (tcp 88, 464) to kcps-fs' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 88,464 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'kerberos-client-to-kcps-fs: Authentication requests (認証要求). Seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 | |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-kerberos-client-to-kcps-fs-udp-out' `
    -DisplayName 'kerberos-client-to-kcps-fs (udp 88, 464) to kcps-fs' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 88,464 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'kerberos-client-to-kcps-fs: Authentication requests (認証要求). Seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 | |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)' | Out-Null
  # rule netbios-client-to-kcps-fs (rulesets/kcps-file-server.yaml:334): Authentication requests (認証要求).
  #   seed: seed 004 table 1 「NetBIOS Session Service (137,138/UDP ,139/TCP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-netbios-client-to-kcps-fs-tcp-out' `
    -DisplayName 'netbios-client-to-kcps-fs (tcp 139) to kcps-fs' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 139 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'netbios-client-to-kcps-fs: Authentication requests (認証要求). Seed: seed 004 table 1 「NetBIOS Session Service (137,138/UDP ,139/TCP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-netbios-client-to-kcps-fs-udp-out' `
    -DisplayName 'netbios-client-to-kcps-fs (udp 137-138) to kcps-fs' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 137-138 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'netbios-client-to-kcps-fs: Authentication requests (認証要求). Seed: seed 004 table 1 「NetBIOS Session Service (137,138/UDP ,139/TCP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)' | Out-Null
  # rule rpc-client-to-kcps-fs (rulesets/kcps-file-server.yaml:306): RPC session establishment and RPC calls (RPCセッション確立要求/RPC通信).
  #   seed: seed 004 table 1 「RPC (49152~49251,49252 ~ 65535,135,593/TCP) |」 row 「ファイル共有クライアント | KCPS-FS | アクセス権設定時 | RPCセッション確立要求/RPC通信 | |」 (translation: file-sharing client -> KCPS-FS, at ACL setting, RPC session request / RPC communication)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-rpc-client-to-kcps-fs-tcp-out' `
    -DisplayName 'rpc-client-to-kcps-fs (tcp 135, 593, 49152-65535) to kcps-fs' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 135,593,49152-65535 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'rpc-client-to-kcps-fs: RPC session establishment and RPC calls (RPCセッション確立要求/RPC通信). Seed: seed 004 table 1 「RPC (49152~49251,49252 ~ 65535,135,593/TCP) |」 row 「ファイル共有クライアント | KCPS-FS | アクセス権設定時 | RPCセッション確立要求/RPC通信 | |」 (translation: file-sharing client -> KCPS-FS, at ACL setting, RPC session request / RPC communication)' | Out-Null
  # rule smb-client-to-kcps-fs (rulesets/kcps-file-server.yaml:280): Authentication requests and file sharing (認証要求).
  #   seed: seed 004 table 1 「SMB (445/TCP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 | |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-smb-client-to-kcps-fs-tcp-out' `
    -DisplayName 'smb-client-to-kcps-fs (tcp 445) to kcps-fs' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 445 `
    -RemoteAddress '10.99.2.10','fd00:99:2::10' `
    -Description 'smb-client-to-kcps-fs: Authentication requests and file sharing (認証要求). Seed: seed 004 table 1 「SMB (445/TCP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 | |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)' | Out-Null
  # rule ldap-client-to-kcps-fs-ad (rulesets/kcps-file-server.yaml:316): Search requests for permissions (権限内容の検索要求).
  #   seed: seed 004 table 1 「LDAP(389/TCP・UDP) LDAP SSL(636/TCP) LDAP GC(3268,3269/TCP) |」 row 「ファイル共有クライアント | KCPS-FS(AD) | アクセス権設定時 | 権限内容の検索要求 |」 (translation: file-sharing client -> KCPS-FS(AD), at ACL setting, search for permissions)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-ldap-client-to-kcps-fs-ad-tcp-out' `
    -DisplayName 'ldap-client-to-kcps-fs-ad (tcp 389, 636, 3268-3269) to kcps-fs-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 389,636,3268-3269 `
    -RemoteAddress '10.99.2.20' `
    -Description 'ldap-client-to-kcps-fs-ad: Search requests for permissions (権限内容の検索要求). Seed: seed 004 table 1 「LDAP(389/TCP・UDP) LDAP SSL(636/TCP) LDAP GC(3268,3269/TCP) |」 row 「ファイル共有クライアント | KCPS-FS(AD) | アクセス権設定時 | 権限内容の検索要求 |」 (translation: file-sharing client -> KCPS-FS(AD), at ACL setting, search for permissions)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-ldap-client-to-kcps-fs-ad-udp-out' `
    -DisplayName 'ldap-client-to-kcps-fs-ad (udp 389) to kcps-fs-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 389 `
    -RemoteAddress '10.99.2.20' `
    -Description 'ldap-client-to-kcps-fs-ad: Search requests for permissions (権限内容の検索要求). Seed: seed 004 table 1 「LDAP(389/TCP・UDP) LDAP SSL(636/TCP) LDAP GC(3268,3269/TCP) |」 row 「ファイル共有クライアント | KCPS-FS(AD) | アクセス権設定時 | 権限内容の検索要求 |」 (translation: file-sharing client -> KCPS-FS(AD), at ACL setting, search for permissions)' | Out-Null
}

# ==== role kcps-fs: KCPS file server (KCPS-FS)
if ($Role -contains 'kcps-fs') {
  # rule rdp-admin-pc-to-kcps-fs (rulesets/kcps-file-server.yaml:344): Remote desktop connection (リモートデスクトップ接続), to create the trust and to set capacity limits.
  #   seed: seed 004 table 1 「RDP (3389/TCP) |」 rows 「お客さま管理用PC | KCPS-FS | 信頼関係確立時 | リモートデスクトップ接続 |」 and 「容量上限設定時 | ||||」 (translation: customer management PC -> KCPS-FS, at trust establishment and at capacity limit setting, remote desktop connection)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-rdp-admin-pc-to-kcps-fs-tcp-in' `
    -DisplayName 'rdp-admin-pc-to-kcps-fs (tcp 3389) from customer-admin-pc' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 3389 `
    -RemoteAddress '10.99.1.200' `
    -Description 'rdp-admin-pc-to-kcps-fs: Remote desktop connection (リモートデスクトップ接続), to create the trust and to set capacity limits. Seed: seed 004 table 1 「RDP (3389/TCP) |」 rows 「お客さま管理用PC | KCPS-FS | 信頼関係確立時 | リモートデスクトップ接続 |」 and 「容量上限設定時 | ||||」 (translation: customer management PC -> KCPS-FS, at trust establishment and at capacity limit setting, remote desktop connection)' | Out-Null
  # rule winrm-admin-pc-to-kcps-fs (rulesets/kcps-file-server.yaml:394): Remote operation (リモート操作).
  #   seed: seed 004 table 1 「WinRM (5985,5986/TCP) |」 row 「お客さま管理用PC | KCPS-FS | リモート操作時 | リモート操作 |」 (translation: customer management PC -> KCPS-FS, at remote operation, remote operation)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-winrm-admin-pc-to-kcps-fs-tcp-in' `
    -DisplayName 'winrm-admin-pc-to-kcps-fs (tcp 5985-5986) from customer-admin-pc' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 5985-5986 `
    -RemoteAddress '10.99.1.200' `
    -Description 'winrm-admin-pc-to-kcps-fs: Remote operation (リモート操作). Seed: seed 004 table 1 「WinRM (5985,5986/TCP) |」 row 「お客さま管理用PC | KCPS-FS | リモート操作時 | リモート操作 |」 (translation: customer management PC -> KCPS-FS, at remote operation, remote operation)' | Out-Null
  # rule icmp-client-to-kcps-fs (rulesets/kcps-file-server.yaml:254): IP reachability check (IP到達確認).
  #   seed: seed 004 table 1 「ICMP」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | ||」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-icmp-client-to-kcps-fs-icmpv4-in' `
    -DisplayName 'icmp-client-to-kcps-fs (icmp types 0-255) from file-share-client' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol ICMPv4 `
    -RemoteAddress '10.99.1.0-10.99.1.9','10.99.1.11-10.99.1.24','10.99.1.26-10.99.1.52','10.99.1.54-10.99.1.199','10.99.1.201-10.99.1.255' `
    -Description 'icmp-client-to-kcps-fs: IP reachability check (IP到達確認). Seed: seed 004 table 1 「ICMP」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | ||」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-icmp-client-to-kcps-fs-icmpv6-in' `
    -DisplayName 'icmp-client-to-kcps-fs (icmpv6 types 0-255) from file-share-client' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol ICMPv6 `
    -RemoteAddress 'fd00:99:1::/124','fd00:99:1::11-fd00:99:1:0:ffff:ffff:ffff:ffff' `
    -Description 'icmp-client-to-kcps-fs: IP reachability check (IP到達確認). Seed: seed 004 table 1 「ICMP」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | ||」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS)' | Out-Null
  # rule kerberos-client-to-kcps-fs (rulesets/kcps-file-server.yaml:384): Authentication requests (認証要求).
  #   seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 | |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-kerberos-client-to-kcps-fs-tcp-in' `
    -DisplayName 'kerberos-client-to-kcps-fs (tcp 88, 464) from file-share-client' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 88,464 `
    -RemoteAddress '10.99.1.0-10.99.1.9','10.99.1.11-10.99.1.24','10.99.1.26-10.99.1.52','10.99.1.54-10.99.1.199','10.99.1.201-10.99.1.255','fd00:99:1::/124','fd00:99:1::11-fd00:99:1:0:ffff:ffff:ffff:ffff' `
    -Description 'kerberos-client-to-kcps-fs: Authentication requests (認証要求). Seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 | |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-kerberos-client-to-kcps-fs-udp-in' `
    -DisplayName 'kerberos-client-to-kcps-fs (udp 88, 464) from file-share-client' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 88,464 `
    -RemoteAddress '10.99.1.0-10.99.1.9','10.99.1.11-10.99.1.24','10.99.1.26-10.99.1.52','10.99.1.54-10.99.1.199','10.99.1.201-10.99.1.255','fd00:99:1::/124','fd00:99:1::11-fd00:99:1:0:ffff:ffff:ffff:ffff' `
    -Description 'kerberos-client-to-kcps-fs: Authentication requests (認証要求). Seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 | |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)' | Out-Null
  # rule netbios-client-to-kcps-fs (rulesets/kcps-file-server.yaml:334): Authentication requests (認証要求).
  #   seed: seed 004 table 1 「NetBIOS Session Service (137,138/UDP ,139/TCP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-netbios-client-to-kcps-fs-tcp-in' `
    -DisplayName 'netbios-client-to-kcps-fs (tcp 139) from file-share-client' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 139 `
    -RemoteAddress '10.99.1.0-10.99.1.9','10.99.1.11-10.99.1.24','10.99.1.26-10.99.1.52','10.99.1.54-10.99.1.199','10.99.1.201-10.99.1.255','fd00:99:1::/124','fd00:99:1::11-fd00:99:1:0:ffff:ffff:ffff:ffff' `
    -Description 'netbios-client-to-kcps-fs: Authentication requests (認証要求). Seed: seed 004 table 1 「NetBIOS Session Service (137,138/UDP ,139/TCP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-netbios-client-to-kcps-fs-udp-in' `
    -DisplayName 'netbios-client-to-kcps-fs (udp 137-138) from file-share-client' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 137-138 `
    -RemoteAddress '10.99.1.0-10.99.1.9','10.99.1.11-10.99.1.24','10.99.1.26-10.99.1.52','10.99.1.54-10.99.1.199','10.99.1.201-10.99.1.255','fd00:99:1::/124','fd00:99:1::11-fd00:99:1:0:ffff:ffff:ffff:ffff' `
    -Description 'netbios-client-to-kcps-fs: Authentication requests (認証要求). Seed: seed 004 table 1 「NetBIOS Session Service (137,138/UDP ,139/TCP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)' | Out-Null
  # rule rpc-client-to-kcps-fs (rulesets/kcps-file-server.yaml:306): RPC session establishment and RPC calls (RPCセッション確立要求/RPC通信).
  #   seed: seed 004 table 1 「RPC (49152~49251,49252 ~ 65535,135,593/TCP) |」 row 「ファイル共有クライアント | KCPS-FS | アクセス権設定時 | RPCセッション確立要求/RPC通信 | |」 (translation: file-sharing client -> KCPS-FS, at ACL setting, RPC session request / RPC communication)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-rpc-client-to-kcps-fs-tcp-in' `
    -DisplayName 'rpc-client-to-kcps-fs (tcp 135, 593, 49152-65535) from file-share-client' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 135,593,49152-65535 `
    -RemoteAddress '10.99.1.0-10.99.1.9','10.99.1.11-10.99.1.24','10.99.1.26-10.99.1.52','10.99.1.54-10.99.1.199','10.99.1.201-10.99.1.255','fd00:99:1::/124','fd00:99:1::11-fd00:99:1:0:ffff:ffff:ffff:ffff' `
    -Description 'rpc-client-to-kcps-fs: RPC session establishment and RPC calls (RPCセッション確立要求/RPC通信). Seed: seed 004 table 1 「RPC (49152~49251,49252 ~ 65535,135,593/TCP) |」 row 「ファイル共有クライアント | KCPS-FS | アクセス権設定時 | RPCセッション確立要求/RPC通信 | |」 (translation: file-sharing client -> KCPS-FS, at ACL setting, RPC session request / RPC communication)' | Out-Null
  # rule smb-client-to-kcps-fs (rulesets/kcps-file-server.yaml:280): Authentication requests and file sharing (認証要求).
  #   seed: seed 004 table 1 「SMB (445/TCP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 | |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-smb-client-to-kcps-fs-tcp-in' `
    -DisplayName 'smb-client-to-kcps-fs (tcp 445) from file-share-client' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 445 `
    -RemoteAddress '10.99.1.0-10.99.1.9','10.99.1.11-10.99.1.24','10.99.1.26-10.99.1.52','10.99.1.54-10.99.1.199','10.99.1.201-10.99.1.255','fd00:99:1::/124','fd00:99:1::11-fd00:99:1:0:ffff:ffff:ffff:ffff' `
    -Description 'smb-client-to-kcps-fs: Authentication requests and file sharing (認証要求). Seed: seed 004 table 1 「SMB (445/TCP) |」 row 「ファイル共有クライアント | KCPS-FS | KCPS-FSブラウジング時 | 認証要求 | |」 (translation: file-sharing client -> KCPS-FS, when browsing KCPS-FS, authentication request)' | Out-Null
  # rule trust-fs-dns (rulesets/kcps-file-server.yaml:648): DNS, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「53, 49152 -65535/TCP/UDP | 53/TCP/UDP | DNS | ||」 (translation: client ports 53 and 49152-65535/TCP/UDP -> server port 53/TCP/UDP, DNS)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-dns-tcp-out' `
    -DisplayName 'trust-fs-dns (tcp 53 from source ports 53, 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 53 `
    -LocalPort 53,49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-dns: DNS, for the trust and its secure channel. Seed: seed 004 table 2 row 「53, 49152 -65535/TCP/UDP | 53/TCP/UDP | DNS | ||」 (translation: client ports 53 and 49152-65535/TCP/UDP -> server port 53/TCP/UDP, DNS)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-dns-udp-out' `
    -DisplayName 'trust-fs-dns (udp 53 from source ports 53, 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 53 `
    -LocalPort 53,49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-dns: DNS, for the trust and its secure channel. Seed: seed 004 table 2 row 「53, 49152 -65535/TCP/UDP | 53/TCP/UDP | DNS | ||」 (translation: client ports 53 and 49152-65535/TCP/UDP -> server port 53/TCP/UDP, DNS)' | Out-Null
  # rule trust-fs-kerberos (rulesets/kcps-file-server.yaml:673): Kerberos, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 88/TCP/UDP | Kerberos | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 88/TCP/UDP, Kerberos)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-kerberos-tcp-out' `
    -DisplayName 'trust-fs-kerberos (tcp 88 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 88 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-kerberos: Kerberos, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 88/TCP/UDP | Kerberos | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 88/TCP/UDP, Kerberos)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-kerberos-udp-out' `
    -DisplayName 'trust-fs-kerberos (udp 88 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 88 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-kerberos: Kerberos, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 88/TCP/UDP | Kerberos | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 88/TCP/UDP, Kerberos)' | Out-Null
  # rule trust-fs-kerberos-pw (rulesets/kcps-file-server.yaml:498): Kerberos password change, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 464/TCP/UDP | Kerberos password change | ||」 (translation: client ports 49152-65535/TCP -> server port 464/TCP/UDP, Kerberos password change)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-kerberos-pw-tcp-out' `
    -DisplayName 'trust-fs-kerberos-pw (tcp 464 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 464 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-kerberos-pw: Kerberos password change, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 464/TCP/UDP | Kerberos password change | ||」 (translation: client ports 49152-65535/TCP -> server port 464/TCP/UDP, Kerberos password change)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-kerberos-pw-udp-out' `
    -DisplayName 'trust-fs-kerberos-pw (udp 464 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 464 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-kerberos-pw: Kerberos password change, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 464/TCP/UDP | Kerberos password change | ||」 (translation: client ports 49152-65535/TCP -> server port 464/TCP/UDP, Kerberos password change)' | Out-Null
  # rule trust-fs-ldap (rulesets/kcps-file-server.yaml:548): LDAP, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 389/TCP/UDP | LDAP | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 389/TCP/UDP, LDAP)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-ldap-tcp-out' `
    -DisplayName 'trust-fs-ldap (tcp 389 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 389 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-ldap: LDAP, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 389/TCP/UDP | LDAP | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 389/TCP/UDP, LDAP)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-ldap-udp-out' `
    -DisplayName 'trust-fs-ldap (udp 389 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 389 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-ldap: LDAP, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 389/TCP/UDP | LDAP | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 389/TCP/UDP, LDAP)' | Out-Null
  # rule trust-fs-ldap-gc (rulesets/kcps-file-server.yaml:598): LDAP global catalog, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 3268/TCP | LDAP GC | ||」 (translation: client ports 49152-65535/TCP -> server port 3268/TCP, LDAP GC)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-ldap-gc-tcp-out' `
    -DisplayName 'trust-fs-ldap-gc (tcp 3268 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 3268 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-ldap-gc: LDAP global catalog, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 3268/TCP | LDAP GC | ||」 (translation: client ports 49152-65535/TCP -> server port 3268/TCP, LDAP GC)' | Out-Null
  # rule trust-fs-ldap-gc-ssl (rulesets/kcps-file-server.yaml:623): LDAP global catalog over SSL, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 3269/TCP | LDAP GC SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 3269/TCP, LDAP GC SSL)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-ldap-gc-ssl-tcp-out' `
    -DisplayName 'trust-fs-ldap-gc-ssl (tcp 3269 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 3269 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-ldap-gc-ssl: LDAP global catalog over SSL, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 3269/TCP | LDAP GC SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 3269/TCP, LDAP GC SSL)' | Out-Null
  # rule trust-fs-ldaps (rulesets/kcps-file-server.yaml:573): LDAP over SSL, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 636/TCP | LDAP SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 636/TCP, LDAP SSL)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-ldaps-tcp-out' `
    -DisplayName 'trust-fs-ldaps (tcp 636 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 636 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-ldaps: LDAP over SSL, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 636/TCP | LDAP SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 636/TCP, LDAP SSL)' | Out-Null
  # rule trust-fs-rpc-dynamic (rulesets/kcps-file-server.yaml:523): RPC for LSA, SAM and Netlogon, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 49152-65535/TCP | RPC for LSA, SAM, Netlogon | ||」 (translation: client ports 49152-65535/TCP -> server ports 49152-65535/TCP, RPC for LSA, SAM, Netlogon)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-rpc-dynamic-tcp-out' `
    -DisplayName 'trust-fs-rpc-dynamic (tcp 49152-65535 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 49152-65535 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-rpc-dynamic: RPC for LSA, SAM and Netlogon, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 49152-65535/TCP | RPC for LSA, SAM, Netlogon | ||」 (translation: client ports 49152-65535/TCP -> server ports 49152-65535/TCP, RPC for LSA, SAM, Netlogon)' | Out-Null
  # rule trust-fs-rpc-epmap (rulesets/kcps-file-server.yaml:470): RPC endpoint mapper, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 135/TCP | RPC Endpoint Mapper | ||」 (translation: client ports 49152-65535/TCP -> server port 135/TCP, RPC Endpoint Mapper)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-rpc-epmap-tcp-out' `
    -DisplayName 'trust-fs-rpc-epmap (tcp 135 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 135 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-rpc-epmap: RPC endpoint mapper, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 135/TCP | RPC Endpoint Mapper | ||」 (translation: client ports 49152-65535/TCP -> server port 135/TCP, RPC Endpoint Mapper)' | Out-Null
  # rule trust-fs-smb (rulesets/kcps-file-server.yaml:697): SMB, only while the trust is being built (信頼関係構築時のみ).
  #   seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 445/TCP | SMB (信頼関係構築時のみ) |」 (translation: client ports 49152-65535/TCP/UDP -> server port 445/TCP, SMB, only while building the trust)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-smb-tcp-out' `
    -DisplayName 'trust-fs-smb (tcp 445 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 445 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-smb: SMB, only while the trust is being built (信頼関係構築時のみ). Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 445/TCP | SMB (信頼関係構築時のみ) |」 (translation: client ports 49152-65535/TCP/UDP -> server port 445/TCP, SMB, only while building the trust)' | Out-Null
  # rule trust-fs-w32time (rulesets/kcps-file-server.yaml:445): W32Time (time synchronisation), for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/UDP | 123/UDP | W32Time | ||」 (translation: client ports 49152-65535/UDP -> server port 123/UDP, W32Time)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-fs-w32time-udp-out' `
    -DisplayName 'trust-fs-w32time (udp 123 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 123 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-fs-w32time: W32Time (time synchronisation), for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/UDP | 123/UDP | W32Time | ||」 (translation: client ports 49152-65535/UDP -> server port 123/UDP, W32Time)' | Out-Null
  # rule smtp-kcps-fs-to-customer-mail [conditional] (rulesets/kcps-file-server.yaml:404): FSRM notification mail to the customer's mail server (25 or 587, whichever the mail server accepts).
  #   seed: seed 004 note under table 1: 「※ FSRMでメール通知機能をご利用のお客さまは「SMTP(25 or 587/TCP)KCPS-FS⇒お客さまメールサーバー」も開放する必要があります。」 (translation: customers using FSRM mail notification must also open SMTP 25 or 587/TCP from KCPS-FS to the customer mail server)
  #   conditional: FSRM mail notification in use (FSRMでメール通知機能をご利用のお客さま)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-smtp-kcps-fs-to-customer-mail-tcp-out' `
    -DisplayName 'smtp-kcps-fs-to-customer-mail (tcp 25, 587) to customer-mail' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 25,587 `
    -RemoteAddress '10.99.1.25' `
    -Description 'smtp-kcps-fs-to-customer-mail: FSRM notification mail to the customer''s mail server (25 or 587, whichever the mail server accepts). Seed: seed 004 note under table 1: 「※ FSRMでメール通知機能をご利用のお客さまは「SMTP(25 or 587/TCP)KCPS-FS⇒お客さまメールサーバー」も開放する必要があります。」 (translation: customers using FSRM mail notification must also open SMTP 25 or 587/TCP from KCPS-FS to the customer mail server)' | Out-Null
}

# ==== role kcps-fs-ad: KCPS-FS(AD), the provider's domain controller
if ($Role -contains 'kcps-fs-ad') {
  # rule kerberos-customer-ad-to-kcps-fs-ad (rulesets/kcps-file-server.yaml:376): Trust creation (信頼関係作成処理).
  #   seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「お客さま ADサーバー | KCPS-FS(AD) | 信頼関係確立時 | 信頼関係作成処理 | |」 (translation: customer AD server -> KCPS-FS(AD), at trust establishment, trust creation)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-kerberos-customer-ad-to-kcps-fs-ad-tcp-in' `
    -DisplayName 'kerberos-customer-ad-to-kcps-fs-ad (tcp 88, 464) from customer-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 88,464 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'kerberos-customer-ad-to-kcps-fs-ad: Trust creation (信頼関係作成処理). Seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「お客さま ADサーバー | KCPS-FS(AD) | 信頼関係確立時 | 信頼関係作成処理 | |」 (translation: customer AD server -> KCPS-FS(AD), at trust establishment, trust creation)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-kerberos-customer-ad-to-kcps-fs-ad-udp-in' `
    -DisplayName 'kerberos-customer-ad-to-kcps-fs-ad (udp 88, 464) from customer-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 88,464 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'kerberos-customer-ad-to-kcps-fs-ad: Trust creation (信頼関係作成処理). Seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「お客さま ADサーバー | KCPS-FS(AD) | 信頼関係確立時 | 信頼関係作成処理 | |」 (translation: customer AD server -> KCPS-FS(AD), at trust establishment, trust creation)' | Out-Null
  # rule rpc-customer-ad-to-kcps-fs-ad (rulesets/kcps-file-server.yaml:298): Trust creation (信頼関係作成処理).
  #   seed: seed 004 table 1 「RPC (49152~49251,49252 ~ 65535,135,593/TCP) |」 row 「お客さま ADサーバー | KCPS-FS(AD) | 信頼関係確立時 | 信頼関係作成処理 | |」 (translation: customer AD server -> KCPS-FS(AD), at trust establishment, trust creation)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-rpc-customer-ad-to-kcps-fs-ad-tcp-in' `
    -DisplayName 'rpc-customer-ad-to-kcps-fs-ad (tcp 135, 593, 49152-65535) from customer-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 135,593,49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'rpc-customer-ad-to-kcps-fs-ad: Trust creation (信頼関係作成処理). Seed: seed 004 table 1 「RPC (49152~49251,49252 ~ 65535,135,593/TCP) |」 row 「お客さま ADサーバー | KCPS-FS(AD) | 信頼関係確立時 | 信頼関係作成処理 | |」 (translation: customer AD server -> KCPS-FS(AD), at trust establishment, trust creation)' | Out-Null
  # rule smb-customer-ad-to-kcps-fs-ad (rulesets/kcps-file-server.yaml:272): Trust creation (信頼関係作成処理).
  #   seed: seed 004 table 1 「SMB (445/TCP) |」 row 「お客さま ADサーバー | KCPS-FS(AD) | 信頼関係確立時 | 信頼関係作成処理 | |」 (translation: customer AD server -> KCPS-FS(AD), at trust establishment, trust creation)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-smb-customer-ad-to-kcps-fs-ad-tcp-in' `
    -DisplayName 'smb-customer-ad-to-kcps-fs-ad (tcp 445) from customer-ad' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 445 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'smb-customer-ad-to-kcps-fs-ad: Trust creation (信頼関係作成処理). Seed: seed 004 table 1 「SMB (445/TCP) |」 row 「お客さま ADサーバー | KCPS-FS(AD) | 信頼関係確立時 | 信頼関係作成処理 | |」 (translation: customer AD server -> KCPS-FS(AD), at trust establishment, trust creation)' | Out-Null
  # rule rdp-admin-pc-to-kcps-fs-ad [INFERRED] (rulesets/kcps-file-server.yaml:352): Remote desktop connection to the KDDI file server (AD), where the customer creates the trust.
  #   seed: seed 004 sequence note, trust creation: 「信頼関係作成処理は、リモートデスクトップを利用しKDDIファイルサーバ(AD)で実施していただきます。」 (translation: the trust creation is done by the customer on the KDDI file server (AD) using remote desktop)
  #   inferred, not stated by the document: The sequence note names the KDDI file server (AD) as where remote desktop is used to create the trust, while table 1's RDP row names KCPS-FS; both are accepted. The note does not say where the connection comes from: the customer management PC is taken from table 1's RDP row, and the port from its 「RDP (3389/TCP) |」 group.
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-rdp-admin-pc-to-kcps-fs-ad-tcp-in' `
    -DisplayName 'rdp-admin-pc-to-kcps-fs-ad (tcp 3389) from customer-admin-pc' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 3389 `
    -RemoteAddress '10.99.1.200' `
    -Description 'rdp-admin-pc-to-kcps-fs-ad: Remote desktop connection to the KDDI file server (AD), where the customer creates the trust. Seed: seed 004 sequence note, trust creation: 「信頼関係作成処理は、リモートデスクトップを利用しKDDIファイルサーバ(AD)で実施していただきます。」 (translation: the trust creation is done by the customer on the KDDI file server (AD) using remote desktop) INFERRED: The sequence note names the KDDI file server (AD) as where remote desktop is used to create the trust, while table 1''s RDP row names KCPS-FS; both are accepted. The note does not say where the connection comes from: the customer management PC is taken from table 1''s RDP row, and the port from its 「RDP (3389/TCP) |」 group.' | Out-Null
  # rule ldap-client-to-kcps-fs-ad (rulesets/kcps-file-server.yaml:316): Search requests for permissions (権限内容の検索要求).
  #   seed: seed 004 table 1 「LDAP(389/TCP・UDP) LDAP SSL(636/TCP) LDAP GC(3268,3269/TCP) |」 row 「ファイル共有クライアント | KCPS-FS(AD) | アクセス権設定時 | 権限内容の検索要求 |」 (translation: file-sharing client -> KCPS-FS(AD), at ACL setting, search for permissions)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-ldap-client-to-kcps-fs-ad-tcp-in' `
    -DisplayName 'ldap-client-to-kcps-fs-ad (tcp 389, 636, 3268-3269) from file-share-client' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 389,636,3268-3269 `
    -RemoteAddress '10.99.1.0-10.99.1.9','10.99.1.11-10.99.1.24','10.99.1.26-10.99.1.52','10.99.1.54-10.99.1.199','10.99.1.201-10.99.1.255','fd00:99:1::/124','fd00:99:1::11-fd00:99:1:0:ffff:ffff:ffff:ffff' `
    -Description 'ldap-client-to-kcps-fs-ad: Search requests for permissions (権限内容の検索要求). Seed: seed 004 table 1 「LDAP(389/TCP・UDP) LDAP SSL(636/TCP) LDAP GC(3268,3269/TCP) |」 row 「ファイル共有クライアント | KCPS-FS(AD) | アクセス権設定時 | 権限内容の検索要求 |」 (translation: file-sharing client -> KCPS-FS(AD), at ACL setting, search for permissions)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-ldap-client-to-kcps-fs-ad-udp-in' `
    -DisplayName 'ldap-client-to-kcps-fs-ad (udp 389) from file-share-client' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 389 `
    -RemoteAddress '10.99.1.0-10.99.1.9','10.99.1.11-10.99.1.24','10.99.1.26-10.99.1.52','10.99.1.54-10.99.1.199','10.99.1.201-10.99.1.255','fd00:99:1::/124','fd00:99:1::11-fd00:99:1:0:ffff:ffff:ffff:ffff' `
    -Description 'ldap-client-to-kcps-fs-ad: Search requests for permissions (権限内容の検索要求). Seed: seed 004 table 1 「LDAP(389/TCP・UDP) LDAP SSL(636/TCP) LDAP GC(3268,3269/TCP) |」 row 「ファイル共有クライアント | KCPS-FS(AD) | アクセス権設定時 | 権限内容の検索要求 |」 (translation: file-sharing client -> KCPS-FS(AD), at ACL setting, search for permissions)' | Out-Null
  # rule icmp-kcps-fs-ad-to-customer-ad (rulesets/kcps-file-server.yaml:246): IP reachability check (IP到達確認).
  #   seed: seed 004 table 1 row 「ICMP | KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | IP到達確認 |」 (translation: ICMP, KCPS-FS(AD) -> customer AD server, at trust establishment, IP reachability check)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-icmp-kcps-fs-ad-to-customer-ad-icmpv4-out' `
    -DisplayName 'icmp-kcps-fs-ad-to-customer-ad (icmp types 0-255) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol ICMPv4 `
    -RemoteAddress '10.99.1.10' `
    -Description 'icmp-kcps-fs-ad-to-customer-ad: IP reachability check (IP到達確認). Seed: seed 004 table 1 row 「ICMP | KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | IP到達確認 |」 (translation: ICMP, KCPS-FS(AD) -> customer AD server, at trust establishment, IP reachability check)' | Out-Null
  # rule kerberos-kcps-fs-ad-to-customer-ad (rulesets/kcps-file-server.yaml:368): Authentication requests; trust creation (認証要求/信頼関係作成処理).
  #   seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | 認証要求/信頼関係作成処理 |」 (translation: KCPS-FS(AD) -> customer AD server, at trust establishment, authentication request / trust creation)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-kerberos-kcps-fs-ad-to-customer-ad-tcp-out' `
    -DisplayName 'kerberos-kcps-fs-ad-to-customer-ad (tcp 88, 464) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 88,464 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'kerberos-kcps-fs-ad-to-customer-ad: Authentication requests; trust creation (認証要求/信頼関係作成処理). Seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | 認証要求/信頼関係作成処理 |」 (translation: KCPS-FS(AD) -> customer AD server, at trust establishment, authentication request / trust creation)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-kerberos-kcps-fs-ad-to-customer-ad-udp-out' `
    -DisplayName 'kerberos-kcps-fs-ad-to-customer-ad (udp 88, 464) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 88,464 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'kerberos-kcps-fs-ad-to-customer-ad: Authentication requests; trust creation (認証要求/信頼関係作成処理). Seed: seed 004 table 1 「Kerberos (88,464/TCP・UDP) |」 row 「KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | 認証要求/信頼関係作成処理 |」 (translation: KCPS-FS(AD) -> customer AD server, at trust establishment, authentication request / trust creation)' | Out-Null
  # rule rpc-kcps-fs-ad-to-customer-ad (rulesets/kcps-file-server.yaml:290): Trust creation (trust establishment); authentication requests (browsing).
  #   seed: seed 004 table 1 「RPC (49152~49251,49252 ~ 65535,135,593/TCP) |」 rows 「KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | 信頼関係作成処理 |」 and 「KCPS-FSブラウジング時 | 認証要求 | |||」 (translation: KCPS-FS(AD) -> customer AD server, at trust establishment: trust creation; when browsing KCPS-FS: authentication request)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-rpc-kcps-fs-ad-to-customer-ad-tcp-out' `
    -DisplayName 'rpc-kcps-fs-ad-to-customer-ad (tcp 135, 593, 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 135,593,49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'rpc-kcps-fs-ad-to-customer-ad: Trust creation (trust establishment); authentication requests (browsing). Seed: seed 004 table 1 「RPC (49152~49251,49252 ~ 65535,135,593/TCP) |」 rows 「KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | 信頼関係作成処理 |」 and 「KCPS-FSブラウジング時 | 認証要求 | |||」 (translation: KCPS-FS(AD) -> customer AD server, at trust establishment: trust creation; when browsing KCPS-FS: authentication request)' | Out-Null
  # rule smb-kcps-fs-ad-to-customer-ad (rulesets/kcps-file-server.yaml:264): Authentication requests; trust creation (認証要求/信頼関係作成処理).
  #   seed: seed 004 table 1 「SMB (445/TCP) |」 row 「KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | 認証要求/信頼関係作成処理 |」 (translation: KCPS-FS(AD) -> customer AD server, at trust establishment, authentication request / trust creation)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-smb-kcps-fs-ad-to-customer-ad-tcp-out' `
    -DisplayName 'smb-kcps-fs-ad-to-customer-ad (tcp 445) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 445 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'smb-kcps-fs-ad-to-customer-ad: Authentication requests; trust creation (認証要求/信頼関係作成処理). Seed: seed 004 table 1 「SMB (445/TCP) |」 row 「KCPS-FS(AD) | お客さま ADサーバー | 信頼関係確立時 | 認証要求/信頼関係作成処理 |」 (translation: KCPS-FS(AD) -> customer AD server, at trust establishment, authentication request / trust creation)' | Out-Null
  # rule trust-dns [INFERRED] (rulesets/kcps-file-server.yaml:634): DNS, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「53, 49152 -65535/TCP/UDP | 53/TCP/UDP | DNS | ||」 (translation: client ports 53 and 49152-65535/TCP/UDP -> server port 53/TCP/UDP, DNS)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-dns-tcp-out' `
    -DisplayName 'trust-dns (tcp 53 from source ports 53, 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 53 `
    -LocalPort 53,49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-dns: DNS, for the trust and its secure channel. Seed: seed 004 table 2 row 「53, 49152 -65535/TCP/UDP | 53/TCP/UDP | DNS | ||」 (translation: client ports 53 and 49152-65535/TCP/UDP -> server port 53/TCP/UDP, DNS) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-dns-udp-out' `
    -DisplayName 'trust-dns (udp 53 from source ports 53, 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 53 `
    -LocalPort 53,49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-dns: DNS, for the trust and its secure channel. Seed: seed 004 table 2 row 「53, 49152 -65535/TCP/UDP | 53/TCP/UDP | DNS | ||」 (translation: client ports 53 and 49152-65535/TCP/UDP -> server port 53/TCP/UDP, DNS) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-kerberos [INFERRED] (rulesets/kcps-file-server.yaml:659): Kerberos, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 88/TCP/UDP | Kerberos | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 88/TCP/UDP, Kerberos)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-kerberos-tcp-out' `
    -DisplayName 'trust-kerberos (tcp 88 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 88 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-kerberos: Kerberos, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 88/TCP/UDP | Kerberos | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 88/TCP/UDP, Kerberos) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-kerberos-udp-out' `
    -DisplayName 'trust-kerberos (udp 88 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 88 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-kerberos: Kerberos, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 88/TCP/UDP | Kerberos | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 88/TCP/UDP, Kerberos) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-kerberos-pw [INFERRED] (rulesets/kcps-file-server.yaml:481): Kerberos password change, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 464/TCP/UDP | Kerberos password change | ||」 (translation: client ports 49152-65535/TCP -> server port 464/TCP/UDP, Kerberos password change)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-kerberos-pw-tcp-out' `
    -DisplayName 'trust-kerberos-pw (tcp 464 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 464 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-kerberos-pw: Kerberos password change, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 464/TCP/UDP | Kerberos password change | ||」 (translation: client ports 49152-65535/TCP -> server port 464/TCP/UDP, Kerberos password change) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-kerberos-pw-udp-out' `
    -DisplayName 'trust-kerberos-pw (udp 464 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 464 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-kerberos-pw: Kerberos password change, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 464/TCP/UDP | Kerberos password change | ||」 (translation: client ports 49152-65535/TCP -> server port 464/TCP/UDP, Kerberos password change) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-ldap [INFERRED] (rulesets/kcps-file-server.yaml:534): LDAP, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 389/TCP/UDP | LDAP | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 389/TCP/UDP, LDAP)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-ldap-tcp-out' `
    -DisplayName 'trust-ldap (tcp 389 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 389 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-ldap: LDAP, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 389/TCP/UDP | LDAP | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 389/TCP/UDP, LDAP) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-ldap-udp-out' `
    -DisplayName 'trust-ldap (udp 389 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 389 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-ldap: LDAP, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 389/TCP/UDP | LDAP | ||」 (translation: client ports 49152-65535/TCP/UDP -> server port 389/TCP/UDP, LDAP) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-ldap-gc [INFERRED] (rulesets/kcps-file-server.yaml:584): LDAP global catalog, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 3268/TCP | LDAP GC | ||」 (translation: client ports 49152-65535/TCP -> server port 3268/TCP, LDAP GC)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-ldap-gc-tcp-out' `
    -DisplayName 'trust-ldap-gc (tcp 3268 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 3268 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-ldap-gc: LDAP global catalog, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 3268/TCP | LDAP GC | ||」 (translation: client ports 49152-65535/TCP -> server port 3268/TCP, LDAP GC) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-ldap-gc-ssl [INFERRED] (rulesets/kcps-file-server.yaml:609): LDAP global catalog over SSL, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 3269/TCP | LDAP GC SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 3269/TCP, LDAP GC SSL)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-ldap-gc-ssl-tcp-out' `
    -DisplayName 'trust-ldap-gc-ssl (tcp 3269 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 3269 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-ldap-gc-ssl: LDAP global catalog over SSL, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 3269/TCP | LDAP GC SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 3269/TCP, LDAP GC SSL) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-ldaps [INFERRED] (rulesets/kcps-file-server.yaml:559): LDAP over SSL, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 636/TCP | LDAP SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 636/TCP, LDAP SSL)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-ldaps-tcp-out' `
    -DisplayName 'trust-ldaps (tcp 636 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 636 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-ldaps: LDAP over SSL, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 636/TCP | LDAP SSL | ||」 (translation: client ports 49152-65535/TCP -> server port 636/TCP, LDAP SSL) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-rpc-dynamic [INFERRED] (rulesets/kcps-file-server.yaml:509): RPC for LSA, SAM and Netlogon, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 49152-65535/TCP | RPC for LSA, SAM, Netlogon | ||」 (translation: client ports 49152-65535/TCP -> server ports 49152-65535/TCP, RPC for LSA, SAM, Netlogon)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-rpc-dynamic-tcp-out' `
    -DisplayName 'trust-rpc-dynamic (tcp 49152-65535 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 49152-65535 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-rpc-dynamic: RPC for LSA, SAM and Netlogon, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 49152-65535/TCP | RPC for LSA, SAM, Netlogon | ||」 (translation: client ports 49152-65535/TCP -> server ports 49152-65535/TCP, RPC for LSA, SAM, Netlogon) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-rpc-epmap [INFERRED] (rulesets/kcps-file-server.yaml:456): RPC endpoint mapper, for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/TCP | 135/TCP | RPC Endpoint Mapper | ||」 (translation: client ports 49152-65535/TCP -> server port 135/TCP, RPC Endpoint Mapper)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-rpc-epmap-tcp-out' `
    -DisplayName 'trust-rpc-epmap (tcp 135 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 135 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-rpc-epmap: RPC endpoint mapper, for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/TCP | 135/TCP | RPC Endpoint Mapper | ||」 (translation: client ports 49152-65535/TCP -> server port 135/TCP, RPC Endpoint Mapper) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-smb [INFERRED] (rulesets/kcps-file-server.yaml:684): SMB, only while the trust is being built (信頼関係構築時のみ).
  #   seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 445/TCP | SMB (信頼関係構築時のみ) |」 (translation: client ports 49152-65535/TCP/UDP -> server port 445/TCP, SMB, only while building the trust)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-smb-tcp-out' `
    -DisplayName 'trust-smb (tcp 445 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 445 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-smb: SMB, only while the trust is being built (信頼関係構築時のみ). Seed: seed 004 table 2 row 「49152 -65535/TCP/UDP | 445/TCP | SMB (信頼関係構築時のみ) |」 (translation: client ports 49152-65535/TCP/UDP -> server port 445/TCP, SMB, only while building the trust) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule trust-w32time [INFERRED] (rulesets/kcps-file-server.yaml:422): W32Time (time synchronisation), for the trust and its secure channel.
  #   seed: seed 004 table 2 row 「49152 -65535/UDP | 123/UDP | W32Time | ||」 (translation: client ports 49152-65535/UDP -> server port 123/UDP, W32Time)
  #   inferred, not stated by the document: Table 2's client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider's domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-trust-w32time-udp-out' `
    -DisplayName 'trust-w32time (udp 123 from source ports 49152-65535) to customer-ad' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 123 `
    -LocalPort 49152-65535 `
    -RemoteAddress '10.99.1.10','fd00:99:1::10' `
    -Description 'trust-w32time: W32Time (time synchronisation), for the trust and its secure channel. Seed: seed 004 table 2 row 「49152 -65535/UDP | 123/UDP | W32Time | ||」 (translation: client ports 49152-65535/UDP -> server port 123/UDP, W32Time) INFERRED: Table 2''s client column is 「KCPSファイル サーバー」 (translation: KCPS file server), which the note under table 1 equates with KCPS-FS (the trust-fs-* rules). A domain trust and its secure channel are kept by domain controllers, table 1 puts the trust traffic on 「KCPS-FS(AD)」, and the sequence note has the trust created on the KDDI file server (AD), so the provider''s domain controller is read as a client of these rows too. Both readings are accepted; coverage asks for one of them (alternative_of: a trust seen from either host covers the row).' | Out-Null
  # rule dns-kcps-fs-ad-to-customer-dns (rulesets/kcps-file-server.yaml:215): The KDDI AD resolves the customer AD through the customer DNS, to create the trust.
  #   seed: seed 004 sequence note, trust creation: 「お客さまDNSにてKDDI ADから、お客さまADの名前解決が可能である必要があります。」 (translation: at the customer DNS, the KDDI AD must be able to resolve the customer AD)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-kcps-fs-ad-to-customer-dns-tcp-out' `
    -DisplayName 'dns-kcps-fs-ad-to-customer-dns (tcp 53) to customer-dns' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 53 `
    -RemoteAddress '10.99.1.53' `
    -Description 'dns-kcps-fs-ad-to-customer-dns: The KDDI AD resolves the customer AD through the customer DNS, to create the trust. Seed: seed 004 sequence note, trust creation: 「お客さまDNSにてKDDI ADから、お客さまADの名前解決が可能である必要があります。」 (translation: at the customer DNS, the KDDI AD must be able to resolve the customer AD)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-kcps-fs-ad-to-customer-dns-udp-out' `
    -DisplayName 'dns-kcps-fs-ad-to-customer-dns (udp 53) to customer-dns' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 53 `
    -RemoteAddress '10.99.1.53' `
    -Description 'dns-kcps-fs-ad-to-customer-dns: The KDDI AD resolves the customer AD through the customer DNS, to create the trust. Seed: seed 004 sequence note, trust creation: 「お客さまDNSにてKDDI ADから、お客さまADの名前解決が可能である必要があります。」 (translation: at the customer DNS, the KDDI AD must be able to resolve the customer AD)' | Out-Null
}

# ==== role kcps-fs-dns: KCPS-FS(DNS), the provider's DNS server
if ($Role -contains 'kcps-fs-dns') {
  # rule dns-customer-dns-to-kcps-fs-dns (rulesets/kcps-file-server.yaml:236): Resolve the KDDI (provider) AD through the conditional forwarder (KDDI AD名前解決).
  #   seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 row 「お客さま DNSサーバー | KCPS-FS(DNS) | アクセス権設定時 | KDDI AD名前解決 | |」 (translation: customer DNS server -> KCPS-FS(DNS), at ACL setting, KDDI AD name resolution)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-customer-dns-to-kcps-fs-dns-tcp-in' `
    -DisplayName 'dns-customer-dns-to-kcps-fs-dns (tcp 53) from customer-dns' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol TCP `
    -LocalPort 53 `
    -RemoteAddress '10.99.1.53' `
    -Description 'dns-customer-dns-to-kcps-fs-dns: Resolve the KDDI (provider) AD through the conditional forwarder (KDDI AD名前解決). Seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 row 「お客さま DNSサーバー | KCPS-FS(DNS) | アクセス権設定時 | KDDI AD名前解決 | |」 (translation: customer DNS server -> KCPS-FS(DNS), at ACL setting, KDDI AD name resolution)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-customer-dns-to-kcps-fs-dns-udp-in' `
    -DisplayName 'dns-customer-dns-to-kcps-fs-dns (udp 53) from customer-dns' `
    -Group $Group `
    -Direction Inbound `
    -Action Allow `
    -Protocol UDP `
    -LocalPort 53 `
    -RemoteAddress '10.99.1.53' `
    -Description 'dns-customer-dns-to-kcps-fs-dns: Resolve the KDDI (provider) AD through the conditional forwarder (KDDI AD名前解決). Seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 row 「お客さま DNSサーバー | KCPS-FS(DNS) | アクセス権設定時 | KDDI AD名前解決 | |」 (translation: customer DNS server -> KCPS-FS(DNS), at ACL setting, KDDI AD name resolution)' | Out-Null
  # rule dns-kcps-fs-dns-to-customer-dns (rulesets/kcps-file-server.yaml:207): Resolve the customer AD (お客さまAD名前解決).
  #   seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 rows 「KCPS-FS(DNS) | お客さま DNSサーバー | 信頼関係確立時 | お客さまAD名前解決 |」 and 「KCPS-FSブラウジング時 | ||||」 (translation: KCPS-FS(DNS) -> customer DNS server, at trust establishment and when browsing KCPS-FS, customer AD name resolution)
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-kcps-fs-dns-to-customer-dns-tcp-out' `
    -DisplayName 'dns-kcps-fs-dns-to-customer-dns (tcp 53) to customer-dns' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol TCP `
    -RemotePort 53 `
    -RemoteAddress '10.99.1.53' `
    -Description 'dns-kcps-fs-dns-to-customer-dns: Resolve the customer AD (お客さまAD名前解決). Seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 rows 「KCPS-FS(DNS) | お客さま DNSサーバー | 信頼関係確立時 | お客さまAD名前解決 |」 and 「KCPS-FSブラウジング時 | ||||」 (translation: KCPS-FS(DNS) -> customer DNS server, at trust establishment and when browsing KCPS-FS, customer AD name resolution)' | Out-Null
  New-NetFirewallRule -Name 'portmatrix-kcps-file-server-dns-kcps-fs-dns-to-customer-dns-udp-out' `
    -DisplayName 'dns-kcps-fs-dns-to-customer-dns (udp 53) to customer-dns' `
    -Group $Group `
    -Direction Outbound `
    -Action Allow `
    -Protocol UDP `
    -RemotePort 53 `
    -RemoteAddress '10.99.1.53' `
    -Description 'dns-kcps-fs-dns-to-customer-dns: Resolve the customer AD (お客さまAD名前解決). Seed: seed 004 table 1 「DNS (53/TCP・UDP) |」 rows 「KCPS-FS(DNS) | お客さま DNSサーバー | 信頼関係確立時 | お客さまAD名前解決 |」 and 「KCPS-FSブラウジング時 | ||||」 (translation: KCPS-FS(DNS) -> customer DNS server, at trust establishment and when browsing KCPS-FS, customer AD name resolution)' | Out-Null
}
