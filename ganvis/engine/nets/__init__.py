"""The networks: MLP and DCGAN generators and discriminators, autoencoders' encoders and
decoders, the latent discriminator. Families (families/) say which a model is built of."""
