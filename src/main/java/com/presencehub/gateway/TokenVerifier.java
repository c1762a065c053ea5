package com.presencehub.gateway;

import com.presencehub.config.ConfigException;
import com.presencehub.config.JwtOptions;
import com.presencehub.config.TenantScope;
import com.presencehub.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * Verifies portal tokens with vertx-auth-jwt (PROTOCOL.md §3): signature with the configured key
 * only (HS256 secret and/or an RS256/ES256 public key; {@code alg: none} and any other algorithm
 * are refused because no key is registered for them), {@code exp} required and checked, {@code
 * iss}/{@code aud} when configured, and the hub's own claims {@code sub}, {@code tenant}, {@code
 * role}.
 */
public final class TokenVerifier {

  private static final Logger LOG = LoggerFactory.getLogger(TokenVerifier.class);

  private final JWTAuth auth;
  private final String issuer;
  private final String audience;
  private final TenantScope tenants;

  private TokenVerifier(JWTAuth auth, String issuer, String audience, TenantScope tenants) {
    this.auth = auth;
    this.issuer = issuer;
    this.audience = audience;
    this.tenants = tenants;
  }

  public static TokenVerifier create(Vertx vertx, JwtOptions jwt) {
    return create(vertx, jwt, TenantScope.ALL);
  }

  /** @param tenants the tenants this cell serves: another tenant's valid token is refused (docs/cells.md) */
  public static TokenVerifier create(Vertx vertx, JwtOptions jwt, TenantScope tenants) {
    return new TokenVerifier(jwtAuth(vertx, jwt), jwt.issuer(), jwt.audience(), tenants);
  }

  /**
   * The one vertx-auth-jwt provider of the hub's keys and rules (PROTOCOL.md §3): the configured
   * HS256 secret and/or RS256/ES256 public key, no leeway, {@code iss}/{@code aud} when configured.
   * The socket edge and the HTTP API's service tokens (§8) both verify with it.
   */
  public static JWTAuth jwtAuth(Vertx vertx, JwtOptions config) {
    JWTOptions jwt = new JWTOptions().setLeeway(0);
    if (config.issuer() != null) {
      jwt.setIssuer(config.issuer());
    }
    if (config.audience() != null) {
      jwt.setAudience(List.of(config.audience()));
    }
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(jwt);
    if (config.secret() != null) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.secret()));
    }
    if (config.publicKey() != null) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(publicKeyAlgorithm(config.publicKey()))
          .setBuffer(config.publicKey()));
    }
    return JWTAuth.create(vertx, options);
  }

  /** RS256 for an RSA key, ES256 for an EC key: the PEM says which. */
  public static String publicKeyAlgorithm(String pem) {
    byte[] der;
    try {
      String body = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
      der = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("jwtPublicKey: the PEM body is not base64");
    }
    for (String[] kind : new String[][] {{"RSA", "RS256"}, {"EC", "ES256"}}) {
      try {
        KeyFactory.getInstance(kind[0]).generatePublic(new X509EncodedKeySpec(der));
        return kind[1];
      } catch (Exception notThisKind) {
        // try the next kind
      }
    }
    throw new ConfigException("jwtPublicKey: neither an RSA nor an EC public key");
  }

  /**
   * Checks the token's signature and lifetime with vertx-auth-jwt, then the hub's shape and claim
   * rules (each failure names the claim) on the payload the library already decoded: the token is
   * decoded once on the way in. A token the library refuses is parsed by {@link TokenClaims} only
   * then, to say why in the project's words (a malformed claim first, as before); whatever the
   * library says goes to the debug log only. Fails with a {@link BadFrameException} {@code
   * unauthorized}. {@link #isMalformedClaim} tells a broken token apart from one that is merely invalid.
   */
  public Future<Identity> verify(String token) {
    Future<io.vertx.ext.auth.User> checked;
    try {
      checked = auth.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      LOG.debug("vertx-auth-jwt threw on a token", e);
      return Future.failedFuture(refusal(token));
    }
    return checked.transform(ar -> {
      if (ar.failed()) {
        LOG.debug("token refused by vertx-auth-jwt: " + ar.cause().getMessage());
        return Future.failedFuture(refusal(token));
      }
      Identity id;
      try {
        id = TokenClaims.parseDecoded(token, ar.result().attributes().getJsonObject("accessToken")).identity();
      } catch (BadFrameException | ClassCastException e) {
        return Future.failedFuture(e instanceof BadFrameException b ? b : refusal(token));
      }
      // Cells (docs/cells.md): a valid token of a tenant another cell serves opens no session here.
      return tenants.serves(id.key().tenant()) ? Future.succeededFuture(id)
          : Future.failedFuture(unauthorized("tenant", tenants.refusal(id.key().tenant())));
    });
  }

  /** Why a token the library refused (or threw on) is refused: its malformed claim, else the first failed rule. */
  private BadFrameException refusal(String token) {
    try {
      return TokenClaims.parse(token).whyRefused(System.currentTimeMillis() / 1000, issuer, audience);
    } catch (BadFrameException malformed) {
      return malformed;
    }
  }

  /** A token whose claims are malformed (a sender bug, not an expiry): its session must end. */
  public static boolean isMalformedClaim(Throwable err) {
    return err instanceof BadFrameException b && b.field() != null && b.field().startsWith("token.");
  }

  static BadFrameException unauthorized(String claim, String message) {
    return new BadFrameException(ErrorCode.UNAUTHORIZED, claim == null ? "token" : "token." + claim, message);
  }
}
