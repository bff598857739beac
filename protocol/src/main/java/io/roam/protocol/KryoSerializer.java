package io.roam.protocol;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JSerializer;

/**
 * The one Pekko serializer of Roam: every {@link RoamMessage} as Kryo bytes (class id +
 * fields). Bound to the marker interface in {@code reference.conf}. Kryo instances are not
 * thread-safe, so they come from a pool.
 */
public final class KryoSerializer extends JSerializer {
    /** Pekko serializer id; must not clash with Pekko's (which are below 100). */
    public static final int IDENTIFIER = 7_031_001;
    private static final int MAX_MESSAGE = 16 << 20;

    private final Pool<Kryo> pool;

    public KryoSerializer(ExtendedActorSystem system) {
        ActorRefResolver resolver = ActorRefResolver.get(Adapter.toTyped(system));
        this.pool = new Pool<>(true, false, 16) {
            @Override
            protected Kryo create() {
                return RoamKryo.create(resolver);
            }
        };
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public boolean includeManifest() {
        return false;
    }

    @Override
    public byte[] toBinary(Object o) {
        Kryo kryo = pool.obtain();
        try (Output out = new Output(256, MAX_MESSAGE)) {
            kryo.writeClassAndObject(out, o);
            return out.toBytes();
        } finally {
            pool.free(kryo);
        }
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        Kryo kryo = pool.obtain();
        try (Input in = new Input(bytes)) {
            Object o = kryo.readClassAndObject(in);
            if (!(o instanceof RoamMessage)) {
                throw new IllegalArgumentException("not a Roam message: " + (o == null ? "null" : o.getClass()));
            }
            return o;
        } catch (KryoException e) {
            // an unregistered class id, truncated bytes...: refuse, never guess
            throw new IllegalArgumentException("refused agent message: " + e.getMessage(), e);
        } finally {
            pool.free(kryo);
        }
    }
}
